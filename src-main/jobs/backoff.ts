export interface BackoffPolicy {
  /** Delay ceiling of the first retry. */
  readonly baseMs: number;
  /** No retry waits longer than this. */
  readonly capMs: number;
}

/**
 * "Full jitter" (AWS architecture blog): a uniform delay in [0, min(cap, base·2^(n−1))]. Spreads
 * the retries of many desks after a provider outage instead of having them hit it in lockstep.
 */
export function fullJitterDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.floor(random() * exp);
}
