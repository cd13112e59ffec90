import type { LocalStore } from '../open';

/**
 * Keeps the query planner's statistics current. The list queries offer SQLite several indexes
 * (one per sort column, plus filter indexes); with sqlite_stat1/stat4 it picks the one that walks
 * the fewest rows for the filter at hand. SQLite's own advice: run `PRAGMA optimize` on open of a
 * long-lived connection and periodically (it is cheap when nothing changed). 0x10002 also
 * analyses tables that have never been analysed.
 */
export function optimizeStore(store: LocalStore, options: { analysisLimit?: number } = {}): void {
  // analysis_limit makes ANALYZE sample about that many rows per index, so a run on open or on a
  // timer costs milliseconds even at 1M orders; without it (the bench after a bulk seed) it is exact.
  const previous = store.sqlite.pragma('analysis_limit', { simple: true }) as number;
  if (options.analysisLimit !== undefined) store.sqlite.pragma(`analysis_limit = ${Math.max(0, Math.floor(options.analysisLimit))}`);
  try {
    store.sqlite.pragma('optimize = 0x10002');
  } finally {
    if (options.analysisLimit !== undefined) store.sqlite.pragma(`analysis_limit = ${previous}`);
  }
}
