/** Expected failures are values, not exceptions: callers must look at `ok`. */
export type Ok<T> = { readonly ok: true; readonly value: T };
export type Err<E> = { readonly ok: false; readonly error: E };
export type Result<T, E> = Ok<T> | Err<E>;

/** Every domain error is a plain typed object a UI can translate and a log can print safely. */
export interface DomainError<C extends string = string> {
  readonly code: C;
  readonly message: string;
  readonly field?: string;
}

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const err = <E>(error: E): Err<E> => ({ ok: false, error });

export function domainError<C extends string>(code: C, message: string, field?: string): DomainError<C> {
  return field === undefined ? { code, message } : { code, message, field };
}

/** For call sites where a failure is a programming error (tests, seeded data). */
export function unwrap<T, E extends { message: string }>(r: Result<T, E>): T {
  if (r.ok) return r.value;
  throw new Error(r.error.message);
}

/**
 * Thrown only when a caller breaks the contract of a function whose signature cannot carry a
 * Result (formatters, calendar arithmetic on already-validated dates). It still has a `code`, so a
 * log or a test can tell which rule was broken; expected failures of user input never throw.
 */
export class DomainContractError<C extends string = string> extends Error implements DomainError<C> {
  readonly code: C;
  // `declare`: no own property at all when there is no field, like domainError() objects.
  declare readonly field?: string;

  constructor(code: C, message: string, field?: string) {
    super(message);
    this.name = 'DomainContractError';
    this.code = code;
    if (field !== undefined) Object.defineProperty(this, 'field', { value: field, enumerable: true });
  }
}

/** Maps the value of an Ok, leaving an Err untouched. */
export function mapResult<T, U, E>(r: Result<T, E>, f: (value: T) => U): Result<U, E> {
  return r.ok ? ok(f(r.value)) : r;
}
