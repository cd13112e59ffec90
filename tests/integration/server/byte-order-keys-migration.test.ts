import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerDatabase } from '../../../src-server/db/schema';
import { DB_KINDS } from '../sync/support/harness';
import { migrateUpTo, openUnmigrated } from './support/migrations';

/**
 * 008 makes PostgreSQL compare the push path's key columns as bytes (COLLATE "C"). What a server
 * wrote before must read back the same through the rebuilt indexes and the view made again, and
 * the keys must still be unique.
 */
let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

describe.each(DB_KINDS)('migration 008_byte_order_keys (%s)', (kind) => {
  it('keeps every entity, change and unique key, and orders and compares the keys as bytes', async () => {
    const opened = await openUnmigrated<ServerDatabase>(kind, 'kassa-m008');
    close = opened.close;
    const db: Kysely<ServerDatabase> = opened.db;
    expect((await migrateUpTo(db, '007_push_receipts')).error).toBeUndefined();
    const at = '2026-11-22T10:00:00.000Z';
    await db.insertInto('clinics').values({ id: 'c1', name: 'Klinik', settings: '{}', change_seq: 3, created_at: at }).execute();
    // Ids whose order differs between byte order and a language's collation (case, å/ä/ö).
    const ids = ['b', 'B', 'Ä', 'a'];
    await db.insertInto('changes').values(ids.map((id, i) => ({ clinic_id: 'c1', cursor: i + 1, entity: 'patient', entity_id: id, op: 'upsert', data: JSON.stringify({ id, n: i }), mutation_id: null, created_at: at }))).execute();
    await db.insertInto('entities').values(ids.map((id, i) => ({ clinic_id: 'c1', entity: 'patient', id, version: 1, cursor: i + 1 }))).execute();
    await db.insertInto('unique_keys').values(ids.map((id) => ({ clinic_id: 'c1', kind: 'personnummer', key: `k-${id}`, owner_id: id }))).execute();

    expect((await migrateUpTo(db, '008_byte_order_keys')).error).toBeUndefined();

    const docs = await db.selectFrom('entity_docs').select(['id', 'data', 'cursor']).where('clinic_id', '=', 'c1').where('entity', '=', 'patient').orderBy('id').execute();
    expect(docs.map((d) => [d.id, JSON.parse(d.data) as unknown, Number(d.cursor)])).toEqual(
      [...ids].sort().map((id) => [id, { id, n: ids.indexOf(id) }, ids.indexOf(id) + 1]),
    );
    // Byte order: 'B' < 'a' < 'b' < 'Ä' (UTF-8 C3 84), as SQLite orders them too.
    expect(docs.map((d) => d.id)).toEqual(['B', 'a', 'b', 'Ä']);
    const owner = await db.selectFrom('unique_keys').select('owner_id').where('clinic_id', '=', 'c1').where('kind', '=', 'personnummer').where('key', '=', 'k-Ä').execute();
    expect(owner).toEqual([{ owner_id: 'Ä' }]);
    await expect(db.insertInto('unique_keys').values({ clinic_id: 'c1', kind: 'personnummer', key: 'k-a', owner_id: 'x' }).execute()).rejects.toThrow(/unique|UNIQUE/);

    if (kind === 'postgres') {
      const keys = ['changes.clinic_id', 'changes.entity', 'changes.entity_id', 'entities.clinic_id', 'entities.entity', 'entities.id', 'unique_keys.clinic_id', 'unique_keys.kind', 'unique_keys.key', 'push_receipts.device_id'];
      const { rows } = await sql<{ key: string; collation_name: string | null }>`
        select table_name || '.' || column_name as key, collation_name from information_schema.columns where table_schema = 'public'`.execute(db);
      expect(rows.filter((r) => keys.includes(r.key)).map((r) => [r.key, r.collation_name]).sort()).toEqual(keys.map((k) => [k, 'C']).sort());
    }
  });
});
