import type { z } from 'zod';
import { err, type DomainError, type Result } from '../../src-shared/domain/result';
import { zodIssues, type FieldIssue } from '../../src-shared/schemas/errors';

/**
 * What a local write or query returns when it refuses. The codes match the desk contract's
 * (src-shared/api/errors: validation, not_found, conflict) plus the store's own; `field` is the
 * dotted path of the offending input so the form can point at it.
 */
export type ServiceErrorCode =
  | 'validation' // the input does not match the command's schema (issues lists every field)
  | 'not_found'
  | 'duplicate' // a unique fact already exists (personnummer in the clinic, order number, ...)
  | 'conflict' // the order's state machine refused the transition
  | 'no_invoice_series'; // this device has no invoice series to issue from

export interface ServiceError extends DomainError<ServiceErrorCode> {
  /** Every field problem, for validation errors. */
  readonly issues?: readonly FieldIssue[];
  /** The domain's own code when a domain rule refused (e.g. 'illegal_transition', 'credit_exceeds_balance'). */
  readonly reason?: string;
}

export type ServiceResult<T> = Result<T, ServiceError>;

export function serviceError(code: ServiceErrorCode, message: string, field?: string, extra: { issues?: FieldIssue[]; reason?: string } = {}): ServiceError {
  return { code, message, ...(field === undefined ? {} : { field }), ...extra };
}

/** A zod failure as a validation error naming the first bad field (and listing all of them). */
export function validationError(error: z.ZodError, prefix = ''): ServiceError {
  const issues = zodIssues(error).map((i) => ({ field: prefix && i.field !== '(root)' ? `${prefix}.${i.field}` : prefix || i.field, message: i.message }));
  const first = issues[0] ?? { field: '(root)', message: 'is invalid' };
  const message = issues
    .slice(0, 5)
    .map((i) => `${i.field}: ${i.message}`)
    .join('; ');
  return serviceError('validation', message, first.field, { issues });
}

/** Parses with a schema, or returns the validation error. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): Result<z.infer<S>, ServiceError> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data as z.infer<S> };
  return err(validationError(parsed.error, prefix));
}

/**
 * Thrown inside a write transaction to roll it back and return `error` to the caller. Only
 * runWrite catches it; it never escapes a service.
 */
export class WriteRefused extends Error {
  constructor(readonly error: ServiceError) {
    super(error.message);
    this.name = 'WriteRefused';
  }
}
