import { z } from 'zod';
import { BankIdPersonalNumber } from '../../src-shared/schemas/bankid';

/**
 * Inputs of the BankID simulator's control API (/__control/...). Schemas, not interfaces, because
 * the simulator parses them at runtime and the typed control client reuses the inferred types.
 * `orderRef` is optional everywhere: a Playwright test driving the desk does not know the orderRef
 * the desk got, so "the newest pending order" is the default target.
 */

const Target = { orderRef: z.string().min(1).optional() };

export const CompleteInput = z
  .object({
    ...Target,
    personalNumber: BankIdPersonalNumber,
    givenName: z.string().min(1).max(100).default('Tess'),
    surname: z.string().min(1).max(100).default('Testsson'),
    /** Defaults to "givenName surname". */
    name: z.string().min(1).max(200).optional(),
    ipAddress: z.string().min(1).optional(),
    risk: z.enum(['low', 'moderate', 'high']).optional(),
  })
  .strict();
export type CompleteInput = z.input<typeof CompleteInput>;

export const TargetInput = z.object(Target).strict();
export type TargetInput = z.input<typeof TargetInput>;

/** Any hint code, known or not: unknown ones test the client's generic handling. */
const HintCode = z.string().min(1).max(60).regex(/^[A-Za-z0-9_]+$/);
export const HintInput = z.object({ ...Target, hintCode: HintCode }).strict();
export type HintInput = z.input<typeof HintInput>;

export const ScanQrInput = z.object({ qrText: z.string().min(1).max(500) }).strict();
export type ScanQrInput = z.input<typeof ScanQrInput>;

export const ScanQrResult = z.object({
  ok: z.boolean(),
  orderRef: z.string().nullable(),
  qrTime: z.number().int().nullable(),
  /** Why a scan was refused: format, unknown_token, bad_auth_code, stale, not_pending. */
  reason: z.string().nullable(),
});
export type ScanQrResult = z.infer<typeof ScanQrResult>;

export const BankIdEndpoint = z.enum(['auth', 'sign', 'collect', 'cancel']);
export type BankIdEndpoint = z.infer<typeof BankIdEndpoint>;

export const FaultInput = z
  .object({
    /** Only these endpoints; all when absent. */
    endpoint: BankIdEndpoint.optional(),
    /** Answer with this status and BankID's error body for it (errorCode defaults by status). */
    status: z.number().int().min(400).max(599).optional(),
    errorCode: z.string().min(1).max(60).optional(),
    details: z.string().max(500).optional(),
    /** Delay before answering (or before handling normally when no status is set). */
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    /** Answer 200 with a body that breaks the wire shape (client parsing tests). */
    malformed: z.boolean().optional(),
    /** Stop after this many injections. */
    times: z.number().int().positive().optional(),
  })
  .strict()
  .refine((f) => !(f.malformed && f.status !== undefined), { message: 'malformed and status are exclusive', path: ['malformed'] });
export type FaultInput = z.input<typeof FaultInput>;
export type Fault = z.output<typeof FaultInput> & { id: string; injected: number };

export const ConfigInput = z
  .object({
    /** An order nobody scanned or started fails expiredTransaction after this (real: ~30 s). */
    unscannedTimeoutMs: z.number().int().positive().max(3_600_000).optional(),
    /** A started order fails expiredTransaction after this (real: a few minutes). */
    orderTimeoutMs: z.number().int().positive().max(3_600_000).optional(),
    /** How far a scanned qrTime may lag the seconds since the auth response. */
    qrMaxAgeSeconds: z.number().int().min(0).max(600).optional(),
  })
  .strict();
export type ConfigInput = z.input<typeof ConfigInput>;
export type SimConfig = Required<z.output<typeof ConfigInput>>;
