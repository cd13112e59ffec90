import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Migration } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalDatabase } from '../../../src-main/db/database';
import { localMigrations } from '../../../src-main/db/migrations';
import { openLocalStore, type LocalStore } from '../../../src-main/db/open';
import { listPatients } from '../../../src-main/db/queries/patients';
import { insertPatientRow, makePersonnummer, testActor } from '../../support/store';

/**
 * 006 rebuilds patients_fts with prefix indexes. The table is contentless, so the rebuild is the
 * only way the patients already on a desk get into it: after the upgrade every search must find
 * exactly what it found before (å/ä/ö as letters, digits by prefix), and new patients too.
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kassa-migrate-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A desk file as 005 left it, with the store's own code on top (the schema is the same but FTS). */
async function openBefore006(file: string): Promise<LocalStore> {
  const sqlite = new Database(file);
  const db = new Kysely<LocalDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  const before = Object.fromEntries(Object.entries(localMigrations).filter(([name]) => name < '006'));
  const { error } = await new Migrator({ db, provider: { getMigrations: async (): Promise<Record<string, Migration>> => before } }).migrateToLatest();
  if (error) throw error;
  return { sqlite, db, close: () => db.destroy() };
}

const PEOPLE: [first: string, last: string, phone: string | null][] = [
  ['Åsa', 'Strömberg', '+46701234567'],
  ['Lars', 'Stromberg', '+46735550000'],
  ['Anders', 'Öberg', '+46709876543'],
  ['Eva', 'Andersson', null],
  ['Märta', 'Ångström', '+4540123456'],
  ['Zoé', 'Béck', null],
];
const SEARCHES = ['ström', 'strom', 'ö', 'öberg', 'å', 'and', 'a', 'an', 'béck', 'beck', '070', '07', '0', '+46 70', '4567', makePersonnummer(2).slice(0, 8), 'eva and', 'x'];

async function results(store: LocalStore): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const search of SEARCHES) {
    const r = await listPatients(store, testActor(), { search });
    if (!r.ok) throw new Error(r.error.message);
    out[search] = r.value.rows.map((row) => `${row.firstName} ${row.lastName}`);
  }
  return out;
}

describe('006: patient search with prefix indexes', () => {
  it('finds after the upgrade exactly what it found before, and the patients added since', async () => {
    const file = join(dir, 'desk.sqlite');
    const old = await openBefore006(file);
    for (const [i, [firstName, lastName, phone]] of PEOPLE.entries()) await insertPatientRow(old, i, { firstName, lastName, phone });
    const before = await results(old);
    expect(before.ström).toEqual(['Åsa Strömberg']);
    expect(before['070']).toEqual(['Åsa Strömberg', 'Anders Öberg']); // Swedish order: Ö after S
    await old.close();

    const store = await openLocalStore(file);
    try {
      expect(store.sqlite.prepare("SELECT sql FROM sqlite_master WHERE name = 'patients_fts'").pluck().get()).toMatch(/prefix='1 2 3'/);
      expect(await results(store)).toEqual(before);
      // The 001 triggers write into the rebuilt table.
      await insertPatientRow(store, 50, { firstName: 'Örjan', lastName: 'Andersson', phone: '+46707000000' });
      const r = await listPatients(store, testActor(), { search: 'ö' });
      if (!r.ok) throw new Error(r.error.message);
      expect(r.value.rows.map((row) => `${row.firstName} ${row.lastName}`)).toEqual(['Örjan Andersson', 'Anders Öberg']);
    } finally {
      await store.close();
    }
  });
});
