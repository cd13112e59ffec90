/** Latency statistics for benchmarks: nearest-rank percentiles over measured samples (ms). */
export interface LatencyStats {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
}

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const rank = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[rank]!;
}

export function summarize(samplesMs: readonly number[]): LatencyStats {
  const s = [...samplesMs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), mean, max: s[s.length - 1] ?? Number.NaN };
}

/**
 * Times `fn(i)` `iterations` times after `warmup` unmeasured calls. `i` lets the caller vary the
 * parameters (different statuses, names, pages) so the cache does not answer the same query.
 */
export async function measure(iterations: number, warmup: number, fn: (i: number) => unknown | Promise<unknown>): Promise<LatencyStats> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    await fn(i + warmup);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return summarize(samples);
}
