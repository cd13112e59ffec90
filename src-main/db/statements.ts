import type Database from 'better-sqlite3';

/**
 * Prepared-statement cache per connection for the write hot paths. Kysely prepares every query
 * anew; at ~50–100 µs a prepare on a desk-class CPU that alone would eat the 1 ms budget of an
 * order create. The statements run on `store.sqlite`, the connection Kysely's transaction holds,
 * so they are inside the same SQLite transaction.
 */
const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

export function prepared(sqlite: Database.Database, text: string): Database.Statement {
  let map = cache.get(sqlite);
  if (!map) {
    map = new Map();
    cache.set(sqlite, map);
  }
  let st = map.get(text);
  if (!st) {
    st = sqlite.prepare(text);
    map.set(text, st);
  }
  return st;
}

/** INSERT INTO table (cols) VALUES (@cols) for a row object, prepared once per column set. */
export function insertRow(sqlite: Database.Database, table: string, row: Record<string, unknown>): Database.RunResult {
  const cols = Object.keys(row);
  return prepared(sqlite, `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(row);
}
