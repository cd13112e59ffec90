import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { serverMigrations } from '../../../src-server/db/migrations';
import type { ChangesTable, ClinicsTable, EntityDocsView } from '../../../src-server/db/schema';
import { createTestDatabase, type TestDatabase } from '../../support/pg';
import { DB_KINDS } from '../sync/support/harness';

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

const migrator = (db: Kysely<Db>, upTo: string) =>
  new Migrator({ db, provider: { getMigrations: async (): Promise<Record<string, Migration>> => Object.fromEntries(Object.entries(serverMigrations).filter(([name]) => name <= upTo)) } });

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function openRaw(kind: (typeof DB_KINDS)[number]): Promise<Kysely<Db>> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'kassa-m006-'));
    const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: new Database(join(dir, 'server.sqlite')) }) });
    cleanup.push(async () => {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    });
    return db;
  }
  const pgdb: TestDatabase = await createTestDatabase('kassa_m006');
  const db = new Kysely<Db>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: pgdb.url, max: 2 }) }) });
  cleanup.push(async () => {
    await db.destroy();
    await pgdb.drop();
  });
  return db;
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
    expect((await migrator(db, '005_console_orders_login_failures').migrateToLatest()).error).toBeUndefined();
    const before = await seedAs005(db);

    const { error } = await migrator(db, '006_entity_docs').migrateToLatest();
    expect(error).toBeUndefined();

    const rows = await db.selectFrom('entity_docs').select(['entity', 'id', 'data', 'version', 'cursor']).orderBy('entity').execute();
    expect(new Map(rows.map((r) => [`${r.entity}:${r.id}`, r.data]))).toEqual(before);
    expect(rows.map((r) => [r.entity, Number(r.version), Number(r.cursor)])).toEqual([['order', 1, 2], ['patient', 2, 3]]);
    // The entity rows themselves no longer carry a copy.
    await expect(sql`select data from entities`.execute(db)).rejects.toThrow(/data/);
  });

  it('stops, dropping nothing, when an entity row does not match the change it points at', async () => {
    const db = await openRaw(kind);
    expect((await migrator(db, '005_console_orders_login_failures').migrateToLatest()).error).toBeUndefined();
    await seedAs005(db);
    await db.updateTable('entities').set({ data: '{"id":"o1","total":1}' }).where('id', '=', 'o1').execute();

    const { error } = await migrator(db, '006_entity_docs').migrateToLatest();
    expect(String(error)).toMatch(/1 entity rows do not match/);
    const kept = await sql<{ data: string }>`select data from entities where id = 'o1'`.execute(db);
    expect(kept.rows[0]!.data).toBe('{"id":"o1","total":1}');
  });
});
