import { ApiError } from '../../src-shared/api';
import type { Result } from '../../src-shared/domain/result';
import type { ServiceError } from '../services/errors';

/** A service refusal becomes the contract's envelope; the service's `duplicate` is a conflict to the desk. */
export function fromService(e: ServiceError): ApiError {
  const code = e.code === 'duplicate' ? 'conflict' : e.code === 'no_invoice_series' ? 'conflict' : e.code;
  return new ApiError(code, e.message, e.field);
}

export function unwrapService<T>(r: Result<T, ServiceError>): T {
  if (!r.ok) throw fromService(r.error);
  return r.value;
}

export function notFound(what: string, field = 'id'): ApiError {
  return new ApiError('not_found', `${field}: no such ${what} in this clinic`, field);
}
