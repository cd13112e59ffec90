import { isAxiosError } from 'axios';

/**
 * How a request failed before any provider answer could be read. `maybeDelivered` matters for
 * money: a timeout or a reset after the request left may mean the provider acted on it, so the
 * retry must be idempotent (same order number) or check first (SMS).
 */
export interface TransportFailure {
  readonly kind: 'timeout' | 'reset' | 'refused' | 'network';
  readonly message: string;
  readonly maybeDelivered: boolean;
}

/** Classifies a thrown axios/network error. Never includes the request config (it holds auth). */
export function transportFailure(error: unknown): TransportFailure {
  const code = isAxiosError(error) ? error.code : (error as { code?: string } | null)?.code;
  switch (code) {
    case 'ECONNABORTED':
    case 'ETIMEDOUT':
    case 'ERR_CANCELED':
      return { kind: 'timeout', message: 'The request timed out', maybeDelivered: true };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_BAD_RESPONSE':
      return { kind: 'reset', message: 'The connection was reset', maybeDelivered: true };
    case 'ECONNREFUSED':
      return { kind: 'refused', message: 'The provider refused the connection', maybeDelivered: false };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { kind: 'network', message: 'The provider host could not be resolved', maybeDelivered: false };
    default: {
      const text = error instanceof Error ? error.message : String(error);
      // "socket hang up" is how Node reports a server closing mid-response.
      if (/hang up|reset|aborted/i.test(text)) return { kind: 'reset', message: 'The connection was reset', maybeDelivered: true };
      if (/timeout/i.test(text)) return { kind: 'timeout', message: 'The request timed out', maybeDelivered: true };
      return { kind: 'network', message: `Network error (${code ?? 'unknown'})`, maybeDelivered: true };
    }
  }
}
