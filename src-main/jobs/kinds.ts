import { z } from 'zod';
import { oreSchema } from '../../src-shared/domain/money';
import { PaymentOption } from '../../src-shared/schemas/enums';
import { CreateOrderInput, PaynovaLine } from '../integrations/paynova/order-body';

/**
 * Durable job kinds. Payloads are facts the job needs to (re)send its request — never credentials,
 * which are read from the keychain when the job runs.
 */
export const JobKind = z.enum([
  /** Register the detailed order (orderNumber = idempotency key) and authorize the invoice product. */
  'paynova.create_authorize',
  /** Activate the invoice / plan: Paynova sends the first invoice, printed with our invoice number. */
  'paynova.finalize',
  /** Void the authorization before finalize (cancel). */
  'paynova.annul',
  /** Credit after finalize, in full or in part with credit lines. */
  'paynova.refund',
  'sms.send',
  /** Poll Paynova's order info for one open order (the fallback for missed event hooks). */
  'reconcile.order',
]);
export type JobKind = z.infer<typeof JobKind>;

export const JobStatus = z.enum([
  'pending', // waiting for its next run (first, or after a retryable failure)
  'in_flight', // committed BEFORE the request is sent; left behind only by a crash
  'succeeded',
  'failed', // the provider gave a definite business answer: credit refused, opted out, invalid number
  'dead', // retries exhausted or a technical error a person must fix (dead letter)
  'cancelled', // withdrawn by a person before it ran
]);
export type JobStatus = z.infer<typeof JobStatus>;

const OrderNumber = z.string().min(4).max(50);

export const CreateAuthorizePayload = z.object({
  order: CreateOrderInput,
  option: PaymentOption,
  /** From getPaymentOptions; derived from the option when absent. */
  productId: z.string().min(1).max(50).optional(),
});

export const FinalizePayload = z.object({
  orderNumber: OrderNumber,
  amountOre: oreSchema.positive(),
  /** Our invoice number, printed on Paynova's invoice. */
  invoiceId: z.string().min(1).max(50),
});

export const AnnulPayload = z.object({ orderNumber: OrderNumber, amountOre: oreSchema.positive() });

export const RefundPayload = z.object({
  orderNumber: OrderNumber,
  amountOre: oreSchema.positive(),
  /** Required by Paynova for a partial refund; must add up to amountOre. */
  creditLines: z.array(PaynovaLine).optional(),
});

export const SmsPayload = z.object({
  to: z.string().regex(/^\+\d{8,15}$/, 'must be E.164'),
  /** Rendered at enqueue time, so a retry sends (and a recovery looks for) exactly this text. */
  body: z.string().min(1).max(1600),
  patientId: z.string().max(64).nullable().default(null),
  template: z.string().max(64).nullable().default(null),
});

export const ReconcilePayload = z.object({ orderNumber: OrderNumber });

export const JOB_PAYLOADS = {
  'paynova.create_authorize': CreateAuthorizePayload,
  'paynova.finalize': FinalizePayload,
  'paynova.annul': AnnulPayload,
  'paynova.refund': RefundPayload,
  'sms.send': SmsPayload,
  'reconcile.order': ReconcilePayload,
} as const satisfies Record<JobKind, z.ZodType>;

export type JobPayload<K extends JobKind> = z.infer<(typeof JOB_PAYLOADS)[K]>;
export type JobPayloadInput<K extends JobKind> = z.input<(typeof JOB_PAYLOADS)[K]>;

/** Defaults per kind: money calls retry longer than an SMS, which goes stale. */
export const DEFAULT_MAX_ATTEMPTS: Record<JobKind, number> = {
  'paynova.create_authorize': 8,
  'paynova.finalize': 8,
  'paynova.annul': 8,
  'paynova.refund': 8,
  'sms.send': 5,
  'reconcile.order': 3,
};
