import { z } from 'zod';

const ErrorCode = z.union([z.literal(30003), z.literal(30005), z.literal(30006), z.literal(30007), z.literal(30008)]);

/**
 * What happens to the next message sent to `to`. Outcomes decided at create time (opted_out,
 * invalid, not_mobile) make the create call fail with 400; the rest shape the delivery lifecycle.
 * `opted_out` sticks (STOP is permanent) until setOptOut({optedOut:false}) or reset.
 */
export const NextOutcomeInput = z
  .object({
    to: z.string().min(1).max(32),
    outcome: z.enum(['delivered', 'undelivered', 'failed', 'opted_out', 'invalid', 'not_mobile']),
    errorCode: ErrorCode.optional(),
  })
  .strict();
export type NextOutcomeInput = z.infer<typeof NextOutcomeInput>;

export const OptOutInput = z.object({ to: z.string().min(1).max(32), optedOut: z.boolean().default(true) }).strict();
export type OptOutInput = z.input<typeof OptOutInput>;

export const LifecycleInput = z
  .object({
    /** auto: the simulator walks queued → sent → final by itself; manual: only advanceMessage does. */
    mode: z.enum(['auto', 'manual']).optional(),
    stepMs: z.number().int().min(0).max(60_000).optional(),
  })
  .strict();
export type LifecycleInput = z.infer<typeof LifecycleInput>;

export const AdvanceInput = z
  .object({
    status: z.enum(['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed']),
    errorCode: ErrorCode.optional(),
  })
  .strict();
export type AdvanceInput = z.infer<typeof AdvanceInput>;

export const AccountInput = z
  .object({ accountSid: z.string().regex(/^AC[0-9a-f]{32}$/), authToken: z.string().min(8).max(200) })
  .strict();
export type AccountInput = z.infer<typeof AccountInput>;

export const MessagesQuery = z.object({ to: z.string().max(32).optional() }).strict();
export type MessagesQuery = z.infer<typeof MessagesQuery>;
