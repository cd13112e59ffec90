import type { LocalStore } from '../open';

/**
 * Keeps the query planner's statistics current. The list queries offer SQLite several indexes
 * (one per sort column, plus filter indexes); with sqlite_stat1/stat4 it picks the one that walks
 * the fewest rows for the filter at hand. SQLite's own advice: run `PRAGMA optimize` on open of a
 * long-lived connection and periodically (it is cheap when nothing changed). 0x10002 also
 * analyses tables that have never been analysed.
 */
export function optimizeStore(store: LocalStore): void {
  store.sqlite.pragma('optimize = 0x10002');
}
