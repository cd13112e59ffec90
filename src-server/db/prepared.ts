import { createHash } from 'node:crypto';
import { sql, type PostgresPool, type RawBuilder } from 'kysely';
import type pg from 'pg';

/**
 * PostgreSQL statements the push path runs for every push are parsed and planned once per
 * connection (a named prepared statement) instead of on every call: planning was ~10 % of the
 * backends' time under the push benchmark. Only statements marked with `prepared` are: their text
 * is fixed by the code (lists travel as one array parameter), so each connection holds a bounded
 * set of them, and their plans do not hinge on the values (primary-key probes, inserts).
 */
const MARK = '/* kassa:prepared */ ';

/** Marks a statement to be prepared once per connection (see above). */
export function prepared<T>(statement: RawBuilder<T>): RawBuilder<T> {
  return sql<T>`${sql.raw(MARK)}${statement}`;
}

type Query = (...args: unknown[]) => unknown;

/**
 * The pool Kysely gets: the same connections, whose `query` sends a marked statement under a
 * name derived from its text (node-postgres then parses it once per connection and reuses it).
 */
export function preparingPool(pool: pg.Pool): PostgresPool {
  const patched = new WeakSet<pg.PoolClient>();
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name) names.set(text, (name = `kassa_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`));
    return name;
  };
  return {
    async connect() {
      const client = await pool.connect();
      if (!patched.has(client)) {
        patched.add(client);
        const query = client.query.bind(client) as Query;
        (client as unknown as { query: Query }).query = (text, values) =>
          typeof text === 'string' && text.startsWith(MARK) ? query({ name: nameOf(text), text, values }) : query(text, values);
      }
      return client;
    },
    end: () => pool.end(),
  };
}
