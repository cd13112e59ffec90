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
