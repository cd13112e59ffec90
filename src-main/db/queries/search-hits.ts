import { sql, type RawBuilder } from 'kysely';
import type { LocalStore } from '../open';

/**
 * One FTS5 evaluation per list call. A prefix term ("berg"*) makes FTS5 merge the doclists of
 * every term it covers, and an `IN (SELECT rowid … MATCH …)` subquery then copies the result into
 * an ephemeral index; the list used to do both twice (once to count for the plan choice, once for
 * the page). Here the rowids go once into a connection-local temp table keyed by rowid, the count
 * comes for free, and the page query probes that table directly.
 *
 * Everything from filling the table to reading the page must run synchronously on the raw
 * connection (`runSync`): an `await` in between would let another list call refill the table.
 */
const TABLE = 'kassa_search_hits';
const ready = new WeakSet<object>();

export function fillSearchHits(store: LocalStore, fts: 'orders_fts' | 'patients_fts', match: string): { count: number; source: RawBuilder<unknown> } {
  if (!ready.has(store.sqlite)) {
    // WITHOUT ROWID: the id is the whole row, so each hit is one b-tree entry instead of a rowid
    // table row (~15 % less for the 40–60k hits of a one- to three-letter prefix at 300k patients).
    store.sqlite.exec(`CREATE TEMP TABLE IF NOT EXISTS ${TABLE} (id INTEGER PRIMARY KEY) WITHOUT ROWID`);
    ready.add(store.sqlite);
  }
  store.sqlite.prepare(`DELETE FROM temp.${TABLE}`).run();
  const { changes } = store.sqlite.prepare(`INSERT INTO temp.${TABLE} (id) SELECT rowid FROM ${fts} WHERE ${fts} MATCH ?`).run(match);
  return { count: changes, source: sql.raw(`SELECT id FROM temp.${TABLE}`) };
}

/** Runs a Kysely-built query synchronously on the store's own connection. */
export function runSync<R>(store: LocalStore, query: RawBuilder<R>): R[] {
  const compiled = query.compile(store.db);
  return store.sqlite.prepare(compiled.sql).all(...(compiled.parameters as unknown[])) as R[];
}
