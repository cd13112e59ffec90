import { z } from 'zod';

/**
 * Every failure that crosses the desk contract has this shape. `code` is machine-readable (the UI
 * translates it), `message` is English for logs and as a fallback, `field` names the input field
 * (dotted path) so the form can point at it and keep what the person typed.
 */
export const ApiErrorBody = z.object({
  code: z.string().min(1).max(64),
  message: z.string().max(2000),
  field: z.string().max(200).optional(),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

/**
 * The transport-level codes the core itself produces. Domain codes (personnummer `checksum`,
 * sync `conflict`, Paynova `paynova.credit_check_refused`, ...) pass through unchanged.
 */
export const CoreErrorCode = z.enum([
  'validation', // input did not match the call's schema; `field` says where
  'unauthenticated', // no session, or it expired
  'forbidden', // the session's role lacks the call's permission
  'not_found',
  'conflict', // the state machine refused the transition
  'invalid_credentials',
  'locked_out',
  'unavailable', // a provider or the sync server cannot be reached right now
  'not_implemented', // the part of the core behind this call has not landed yet
  'too_large',
  'unknown_call',
  'internal',
]);
export type CoreErrorCode = z.infer<typeof CoreErrorCode>;

/** Thrown inside the core by handlers; the dispatcher turns it into an `ApiErrorBody`. */
export class ApiError extends Error implements ApiErrorBody {
  readonly code: string;
  readonly field?: string;
  constructor(code: string, message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    if (field !== undefined) this.field = field;
  }
  toBody(): ApiErrorBody {
    return this.field === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, field: this.field };
  }
}

/** A call's answer: the validated output, or the error envelope. Never a thrown string. */
export const callResult = <O extends z.ZodType>(output: O) =>
  z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), value: output }), z.object({ ok: z.literal(false), error: ApiErrorBody })]);
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody };
