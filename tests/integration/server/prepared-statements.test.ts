import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerDb } from '../../../src-server/db/connect';
import { postgresReads } from '../../../src-server/sync/feed-store';
import { openBackendDb } from '../sync/support/harness';

/**
 * The push path's PostgreSQL statements are parsed and planned once per connection; everything
 * else (the console's searches, whose plans depend on their filters) is planned per call.
 */
describe('prepared statements on PostgreSQL', () => {
  let sdb: ServerDb;
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('prepares a marked statement once per connection and leaves the others unnamed', async () => {
    ({ sdb, close } = await openBackendDb('postgres'));
    const seen = await sdb.db.transaction().execute(async (trx) => {
      const answers = [];
      for (const ids of [['a'], ['b', 'c'], ['d', 'e', 'f']]) answers.push((await postgresReads.docs('c1', 'patient', ids).execute(trx)).rows);
      await sql`select count(*) from clinics where id = ${'c1'}`.execute(trx);
      const { rows } = await sql<{ statement: string; from_sql: boolean }>`select statement, from_sql from pg_prepared_statements`.execute(trx);
      return { answers, rows };
    });
    expect(seen.answers).toEqual([[], [], []]);
    expect(seen.rows).toHaveLength(1);
    expect(seen.rows[0]!.from_sql).toBe(false);
    expect(seen.rows[0]!.statement).toMatch(/^\/\* kassa:prepared \*\/ select k\.id, d\.data from unnest/);
  });
});
