import { isAxiosError } from 'axios';
import type { DomainError } from '../../../src-shared/domain/result';
import { transportFailure, type TransportFailure } from '../http-errors';

/** Our names for what can go wrong talking to BankID; the raw errorCode is kept beside it. */
export type BankIdErrorKind =
  | 'already_in_progress'
  | 'invalid_parameters'
  | 'unauthorized'
  | 'not_found'
  | 'method_not_allowed'
  | 'request_timeout'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'internal_error'
  | 'maintenance'
  /** An errorCode (or status) the API does not document: kept raw in `errorCode`. */
  | 'unknown'
  /** The response did not have the documented shape. */
  | 'malformed_response'
  /** The TLS handshake failed: wrong CA, our certificate refused, expired certificate. */
  | 'tls'
  /** Timeout, reset, refused, DNS. */
  | 'transport'
  /** The PKCS#12 or its passphrase from the keychain cannot be opened. */
  | 'certificate'
  /** Refused before any call: bad input from our own caller. */
  | 'invalid_input';

export interface BankIdError extends DomainError<`bankid.${BankIdErrorKind}`> {
  readonly httpStatus?: number;
  /** BankID's own errorCode, verbatim, when there was one. */
  readonly errorCode?: string;
  readonly details?: string;
  /** From RateLimit-Reset / Retry-After on 429. */
  readonly retryAfterSeconds?: number;
  readonly transport?: TransportFailure;
  /** Worth repeating the same call later (collect keeps polling through these). */
  readonly retryable: boolean;
}

const KNOWN: Record<string, { kind: BankIdErrorKind; message: string; retryable: boolean }> = {
  alreadyInProgress: { kind: 'already_in_progress', message: 'An order for this personal number is already in progress', retryable: false },
  invalidParameters: { kind: 'invalid_parameters', message: 'BankID refused the request parameters', retryable: false },
  unauthorized: { kind: 'unauthorized', message: 'BankID refused this relying party (certificate not authorised)', retryable: false },
  notFound: { kind: 'not_found', message: 'BankID does not know this URL (check the base URL)', retryable: false },
  methodNotAllowed: { kind: 'method_not_allowed', message: 'BankID refused the HTTP method', retryable: false },
  requestTimeout: { kind: 'request_timeout', message: 'BankID timed out reading the request', retryable: true },
  unsupportedMediaType: { kind: 'unsupported_media_type', message: 'BankID refused the content type', retryable: false },
  tooManyRequests: { kind: 'rate_limited', message: 'BankID rate limit reached', retryable: true },
  internalError: { kind: 'internal_error', message: 'BankID had an internal error', retryable: true },
  maintenance: { kind: 'maintenance', message: 'BankID is down for maintenance', retryable: true },
};

const BY_STATUS: Record<number, string> = { 401: 'unauthorized', 403: 'unauthorized', 404: 'notFound', 405: 'methodNotAllowed', 408: 'requestTimeout', 415: 'unsupportedMediaType', 429: 'tooManyRequests', 500: 'internalError', 503: 'maintenance' };

export function bankIdError(kind: BankIdErrorKind, message: string, extra: Omit<BankIdError, 'code' | 'message' | 'retryable'> & { retryable?: boolean } = {}): BankIdError {
  return { code: `bankid.${kind}`, message, retryable: false, ...extra };
}

/** An HTTP error answer: the documented errorCode wins, the status decides when it is missing. */
export function httpError(status: number, body: { errorCode?: string; details?: string } | undefined, retryAfterSeconds: number | undefined): BankIdError {
  const errorCode = body?.errorCode;
  const known = KNOWN[errorCode ?? BY_STATUS[status] ?? ''];
  const extra = {
    httpStatus: status,
    ...(errorCode !== undefined ? { errorCode } : {}),
    ...(body?.details !== undefined ? { details: body.details } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  };
  if (known && (errorCode === undefined || KNOWN[errorCode])) return bankIdError(known.kind, known.message, { ...extra, retryable: known.retryable });
  return bankIdError('unknown', `BankID answered HTTP ${status}${errorCode ? ` with unknown errorCode "${errorCode}"` : ''}`, { ...extra, retryable: status >= 500 });
}

const TLS_CODES = /^(ERR_SSL_|ERR_TLS_|EPROTO$|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(VERIFY|GET)_)/;

/** A thrown request error: TLS problems are told apart because the fix (certificates) differs. */
export function thrownError(error: unknown): BankIdError {
  const code = (isAxiosError(error) ? error.code : (error as { code?: unknown } | null)?.code) ?? '';
  const causeCode = isAxiosError(error) ? ((error.cause as { code?: unknown } | undefined)?.code ?? '') : '';
  const tlsCode = [code, causeCode].find((c): c is string => typeof c === 'string' && TLS_CODES.test(c));
  if (tlsCode) return bankIdError('tls', `TLS with BankID failed (${tlsCode}): check the relying-party certificate and the BankID CA`, { details: tlsCode });
  const transport = transportFailure(error);
  return bankIdError('transport', `Could not reach BankID: ${transport.message}`, { transport, retryable: true });
}
