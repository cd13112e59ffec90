import type { ProviderError } from '../common/sim-server';

/** Twilio's error body for every non-2xx answer: {code, message, more_info, status}. */
export function twilioError(status: number, code: number, message: string, headers?: Record<string, string>): ProviderError {
  const body = JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
  return { status, contentType: 'application/json; charset=utf-8', body, ...(headers ? { headers } : {}) };
}

/** Errors the shell produces (faults, 404, 413, malformed body) in Twilio's words. */
export function twilioHttpError(status: number, reason: string): ProviderError {
  switch (status) {
    case 401:
      return twilioError(401, 20003, 'Authenticate', { 'www-authenticate': 'Basic realm="Twilio API"' });
    case 404:
      return twilioError(404, 20404, `The requested resource was not found: ${reason}`);
    case 429:
      return twilioError(429, 20429, 'Too Many Requests', { 'retry-after': '1' });
    case 413:
      // UNSURE: the code Twilio gives an oversized request; 20001-style generic is not documented.
      return twilioError(413, 20413, 'Request entity too large');
    default:
      if (status >= 500) return twilioError(status, 20500, 'An internal server error has occurred');
      return twilioError(status, 20001, reason);
  }
}

/** Error codes a test can make the next message to a number end with (integrations.md). */
export const DELIVERY_ERROR_CODES = [30003, 30005, 30006, 30007, 30008] as const;
