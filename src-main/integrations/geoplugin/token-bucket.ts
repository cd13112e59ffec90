/** A token bucket: `capacity` requests per `periodMs`, refilled continuously. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private blockedUntil = 0;

  constructor(
    private readonly capacity: number,
    private readonly periodMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  take(): boolean {
    const t = this.now();
    if (t < this.blockedUntil) return false;
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) * this.capacity) / this.periodMs);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Empty the bucket and refuse everything for `ms` (the provider told us to back off). */
  drain(ms: number): void {
    this.tokens = 0;
    this.last = this.now();
    this.blockedUntil = this.now() + ms;
  }
}
