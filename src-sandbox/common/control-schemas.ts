import { z } from 'zod';

/**
 * Inputs of the control API every simulator shares. They are schemas (not interfaces) because the
 * simulators parse them at runtime and the typed control client reuses the inferred types.
 */

export const FaultKind = z.enum(['latency', 'http5xx', 'hang', 'reset', 'rate_limit']);
export type FaultKind = z.infer<typeof FaultKind>;

export const FaultRuleInput = z
  .object({
    /** Regular expression (source) matched against the request path, e.g. "^/orders/create". */
    route: z.string().min(1).max(500).refine((source) => {
      try {
        new RegExp(source);
        return true;
      } catch {
        return false;
      }
    }, 'must be a valid regular expression'),
    method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']).optional(),
    kind: FaultKind,
    /** 0..1: the chance that a matching request gets the fault. */
    probability: z.number().min(0).max(1).default(1),
    /** Stop after this many injections (e.g. "fail the first two attempts"). */
    times: z.number().int().positive().optional(),
    /** latency: added delay before the request is handled normally. */
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    /** http5xx: which status to answer; 503 by default. */
    status: z.number().int().min(500).max(599).optional(),
    /** hang: destroy the socket after this long (default: never, until reset or close). */
    hangMs: z.number().int().positive().max(600_000).optional(),
  })
  .strict();
export type FaultRuleInput = z.input<typeof FaultRuleInput>;
export type FaultRule = z.output<typeof FaultRuleInput> & { id: string; injected: number };

export const RequestQuery = z
  .object({
    /** Only requests whose path matches this regular expression. */
    path: z.string().max(500).optional(),
    method: z.string().max(10).optional(),
  })
  .strict();
export type RequestQuery = z.infer<typeof RequestQuery>;

/** One provider request as the simulator saw it (control requests are not recorded). */
export interface SeenRequest {
  id: number;
  at: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  /** The merchant / account from HTTP Basic, when present. */
  username?: string;
  /** Parsed body (not the raw bytes) so tests can count and inspect creates. */
  body?: unknown;
  status?: number;
  fault?: FaultKind;
}
