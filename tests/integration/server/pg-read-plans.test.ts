import { sql, type RawBuilder } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerDb } from '../../../src-server/db/connect';
import { postgresReads } from '../../../src-server/sync/feed-store';
import { openBackendDb } from '../sync/support/harness';

/**
 * The push path reads a batch's entities and unique keys by id. On a table the planner has no
 * statistics for yet (every new server, and a clinic that grows faster than autovacuum analyzes)
 * those reads must still probe the primary key per id: planned from default selectivities,
 * `id = any($1)` became a scan of the clinic's whole (clinic, entity) prefix with the array as a
 * filter, so a push cost more the bigger its clinic was.
 */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  Filter?: string;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

const scansOf = (node: PlanNode, table: string): PlanNode[] => [
  ...(node['Relation Name'] === table ? [node] : []),
  ...(node.Plans ?? []).flatMap((p) => scansOf(p, table)),
];

describe('PostgreSQL push reads on a table without statistics', () => {
  let sdb: ServerDb;
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('probe the primary key once per id instead of scanning the clinic', async () => {
    ({ sdb, close } = await openBackendDb('postgres'));
    const db = sdb.db;
    // 20,000 patients and order numbers of one clinic (each patient's document is its change),
    // written without ANALYZE, as a busy first hour leaves them.
    await sql`insert into clinics (id, name, settings, change_seq, created_at) values ('c1', 'Klinik', '{}', 20000, '2026-11-22')`.execute(db);
    await sql`insert into changes (clinic_id, cursor, entity, entity_id, op, data, mutation_id, created_at)
      select 'c1', n, 'patient', 'p' || n, 'upsert', '{"id":"p' || n || '"}', null, '2026-11-22' from generate_series(1, 20000) n`.execute(db);
    await sql`insert into entities (clinic_id, entity, id, version, cursor) select 'c1', 'patient', 'p' || n, 1, n from generate_series(1, 20000) n`.execute(db);
    await sql`insert into unique_keys (clinic_id, kind, key, owner_id) select 'c1', 'order_number', 'K' || n, 'o' || n from generate_series(1, 20000) n`.execute(db);

    const plan = async (q: RawBuilder<unknown>) => {
      const { rows } = await sql<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>`explain (analyze, format json) ${q}`.execute(db);
      return rows[0]!['QUERY PLAN'][0].Plan;
    };
    const docs = await plan(postgresReads.docs('c1', 'patient', ['p17', 'p19999', 'missing']));
    const owners = await plan(postgresReads.owners('c1', 'order_number', ['K5', 'K20000', 'missing']));
    for (const [p, table, key] of [[docs, 'entities', 'id'], [owners, 'unique_keys', 'key']] as const) {
      const scans = scansOf(p, table);
      expect(scans.length, table).toBeGreaterThan(0);
      for (const s of scans) {
        expect(s['Index Cond'], `${table}: ${JSON.stringify(s)}`).toMatch(new RegExp(`\\(${key} = k\\.${key}\\)`));
        expect(s['Rows Removed by Filter'] ?? 0, table).toBe(0);
      }
    }

    // Each is a prepared statement (db/prepared.ts): after five runs PostgreSQL may keep one
    // generic plan for all values, which must probe the key just the same.
    await db.transaction().execute(async (trx) => {
      await sql`set local plan_cache_mode = force_generic_plan`.execute(trx);
      for (const [name, q, args, table, key] of [
        ['docs_q', postgresReads.docs('c1', 'patient', ['x']), `array['p17','p19999','missing'], 'c1', 'patient'`, 'entities', 'id'],
        ['owners_q', postgresReads.owners('c1', 'order_number', ['x']), `array['K5','K20000','missing'], 'c1', 'order_number'`, 'unique_keys', 'key'],
      ] as const) {
        await sql.raw(`prepare ${name} as ${q.compile(db).sql}`).execute(trx);
        const { rows } = await sql.raw<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`explain (analyze, format json) execute ${name}(${args})`).execute(trx);
        const scans = scansOf(rows[0]!['QUERY PLAN'][0].Plan, table);
        expect(scans.length, `generic ${table}`).toBeGreaterThan(0);
        for (const s of scans) expect(s['Rows Removed by Filter'] ?? 0, `generic ${table}: ${JSON.stringify(s)}`).toBe(0);
        for (const s of scans) expect(s['Index Cond'], `generic ${table}`).toMatch(new RegExp(`\\(${key} = k\\.${key}\\)`));
      }
    });

    // And they answer: the ids that exist, with their documents and owners.
    expect((await postgresReads.docs('c1', 'patient', ['p17', 'missing']).execute(db)).rows).toEqual([{ id: 'p17', data: '{"id":"p17"}' }]);
    expect((await postgresReads.owners('c1', 'order_number', ['K20000', 'missing']).execute(db)).rows).toEqual([{ key: 'K20000', owner_id: 'o20000' }]);
  });
});
