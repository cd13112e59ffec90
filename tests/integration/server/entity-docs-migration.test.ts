import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangesTable, ClinicsTable, EntityDocsView } from '../../../src-server/db/schema';
import { DB_KINDS, type DbKind } from '../sync/support/harness';
import { migrateUpTo, openUnmigrated } from './support/migrations';

/**
 * 006 drops the document column of `entities` (each row points at its change by cursor) and reads
 * documents through the view `entity_docs`. A server upgraded from 005 must give back every
 * document the column held, byte for byte; and if some entity row did not match its change, the
 * upgrade must stop before it drops anything.
 */
/** The tables this test touches; before 006 an entity row had the view's columns, `data` included. */
interface Db {
  clinics: ClinicsTable;
  changes: ChangesTable;
  entities: EntityDocsView;
  entity_docs: EntityDocsView;
}

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

async function openRaw(kind: DbKind): Promise<Kysely<Db>> {
  const opened = await openUnmigrated<Db>(kind, 'kassa-m006');
  close = opened.close;
  return opened.db;
}

/** A clinic with two versions of one patient and one order, written as 005's push path did. */
async function seedAs005(db: Kysely<Db>): Promise<Map<string, string>> {
  const now = '2026-11-22T10:00:00.000Z';
  await db.insertInto('clinics').values({ id: 'c1', name: 'Klinik', settings: '{}', change_seq: 3, created_at: now }).execute();
  const docs: [cursor: number, entity: string, id: string, data: string][] = [
    [1, 'patient', 'p1', JSON.stringify({ id: 'p1', firstName: 'Åsa', lastName: 'Öberg "Lillan" \\ 🦷' })],
    [2, 'order', 'o1', JSON.stringify({ id: 'o1', total: 95000 })],
    [3, 'patient', 'p1', JSON.stringify({ id: 'p1', firstName: 'Ärla', lastName: 'Öberg "Lillan" \\ 🦷' })],
  ];
  for (const [cursor, entity, id, data] of docs) {
    await db.insertInto('changes').values({ clinic_id: 'c1', cursor, entity, entity_id: id, op: 'upsert', data, mutation_id: null, created_at: now }).execute();
  }
  await db.insertInto('entities').values([
    { clinic_id: 'c1', entity: 'patient', id: 'p1', data: docs[2]![3], version: 2, cursor: 3 },
    { clinic_id: 'c1', entity: 'order', id: 'o1', data: docs[1]![3], version: 1, cursor: 2 },
  ]).execute();
  return new Map([['patient:p1', docs[2]![3]], ['order:o1', docs[1]![3]]]);
}

describe.each(DB_KINDS)('migration 006_entity_docs (%s)', (kind) => {
  it('gives back every document the entity rows held, through entity_docs', async () => {
    const db = await openRaw(kind);
    expect((await migrateUpTo(db, '005_console_orders_login_failures')).error).toBeUndefined();
    const before = await seedAs005(db);

    const { error } = await migrateUpTo(db, '006_entity_docs');
    expect(error).toBeUndefined();

    const rows = await db.selectFrom('entity_docs').select(['entity', 'id', 'data', 'version', 'cursor']).orderBy('entity').execute();
    expect(new Map(rows.map((r) => [`${r.entity}:${r.id}`, r.data]))).toEqual(before);
    expect(rows.map((r) => [r.entity, Number(r.version), Number(r.cursor)])).toEqual([['order', 1, 2], ['patient', 2, 3]]);
    // The entity rows themselves no longer carry a copy.
    await expect(sql`select data from entities`.execute(db)).rejects.toThrow(/data/);
  });

  it('stops, dropping nothing, when an entity row does not match the change it points at', async () => {
    const db = await openRaw(kind);
    expect((await migrateUpTo(db, '005_console_orders_login_failures')).error).toBeUndefined();
    await seedAs005(db);
    await db.updateTable('entities').set({ data: '{"id":"o1","total":1}' }).where('id', '=', 'o1').execute();

    const { error } = await migrateUpTo(db, '006_entity_docs');
    expect(String(error)).toMatch(/1 entity rows do not match/);
    const kept = await sql<{ data: string }>`select data from entities where id = 'o1'`.execute(db);
    expect(kept.rows[0]!.data).toBe('{"id":"o1","total":1}');
  });
});
