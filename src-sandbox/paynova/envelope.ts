import type { z } from 'zod';
import type { ProviderError } from '../common/sim-server';

/** One entry of `status.errors[]`, exactly as Paynova names the fields. */
export interface PaynovaFieldError {
  errorCode: string;
  fieldName: string;
  message: string;
}

export interface PaynovaStatus {
  isSuccess: boolean;
  errorNumber: number;
  statusKey: string;
  statusMessage: string;
  errors: PaynovaFieldError[] | null;
  exceptionDetails: null;
}

/** Known error numbers (integrations.md). 3003 is UNSURE there; the sandbox uses it anyway. */
export const PAYNOVA_ERRORS = {
  INTERNAL_ERROR: -1,
  VALIDATION_ERROR: -2,
  MERCHANT_ACCT_READ_ONLY: 1000,
  CUST_ACCT_NOT_ELIGIBLE: 1001,
  CUST_PROF_NOT_FOUND: 2000,
  CUST_CARD_NOT_FOUND: 2001,
  ORDER_NOT_FOUND: 3000,
  LINE_ITEMS_NOT_ALLOWED: 3001,
  FINALIZE_AMT_EXCEEDED: 3002,
  LINE_ITEMS_REQUIRED: 3003,
} as const;
export type PaynovaErrorKey = keyof typeof PAYNOVA_ERRORS;

export function success(statusKey: 'SUCCESS' | 'PENDING' = 'SUCCESS'): PaynovaStatus {
  return { isSuccess: true, errorNumber: 0, statusKey, statusMessage: 'The operation was successful.', errors: null, exceptionDetails: null };
}

export function failure(key: PaynovaErrorKey, statusMessage: string, errors: PaynovaFieldError[] | null = null): { status: PaynovaStatus } {
  return { status: { isSuccess: false, errorNumber: PAYNOVA_ERRORS[key], statusKey: key, statusMessage, errors, exceptionDetails: null } };
}

export function validationFailure(errors: PaynovaFieldError[]): { status: PaynovaStatus } {
  return failure('VALIDATION_ERROR', 'One or more fields failed validation.', errors);
}

/** HTTP-level failures carry errorNumber -3 and statusKey "HTTP_<status>" (401, 404, 413, 5xx…). */
export function httpFailure(status: number, message: string): ProviderError {
  const envelope = {
    status: {
      isSuccess: false,
      errorNumber: status >= 500 ? PAYNOVA_ERRORS.INTERNAL_ERROR : -3,
      statusKey: status >= 500 ? 'INTERNAL_ERROR' : `HTTP_${status}`,
      statusMessage: message,
      errors: null,
      exceptionDetails: null,
    },
  };
  const headers: Record<string, string> = status === 401 ? { 'www-authenticate': 'Basic realm="Paynova API"' } : {};
  if (status === 429) headers['retry-after'] = '1';
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(envelope), headers };
}

const pascal = (s: string) => (s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1));

/**
 * Turns zod issues into Paynova's errors[]: fieldName is the PascalCase leaf field, as in the
 * documented example {"errorCode":"GovernmentIdIsInvalid","fieldName":"GovernmentId"} (UNSURE
 * whether the real API qualifies nested names), and the message carries the full path.
 */
export function zodToPaynovaErrors(error: z.ZodError): PaynovaFieldError[] {
  return error.issues.map((issue) => {
    const leaf = [...issue.path].reverse().find((p) => typeof p === 'string');
    const fieldName = leaf === undefined ? 'Request' : pascal(leaf);
    const params = (issue as { params?: { errorCode?: unknown } }).params;
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    const errorCode = typeof params?.errorCode === 'string' ? params.errorCode : `${fieldName}Is${missing ? 'Required' : 'Invalid'}`;
    const path = issue.path.map(String).join('.') || '(root)';
    return { errorCode, fieldName, message: `${path}: ${issue.message}` };
  });
}
