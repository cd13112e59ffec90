import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration } from 'kysely';
import pg from 'pg';
import { serverMigrations } from '../../../../src-server/db/migrations';
import { createTestDatabase } from '../../../support/pg';
import type { DbKind } from '../../sync/support/harness';

/**
 * For migration tests: a fresh, empty server database of either kind, opened without migrating,
 * so a test can migrate it step by step with `migrateUpTo` and seed what an older server wrote.
 */
export async function openUnmigrated<DB>(kind: DbKind, prefix: string): Promise<{ db: Kysely<DB>; close(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: new Database(join(dir, 'server.sqlite')) }) });
    return {
      db,
      async close() {
        await db.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const pgdb = await createTestDatabase(prefix.replace(/-/g, '_'));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: pgdb.url, max: 2 }) }) });
  return {
    db,
    async close() {
      await db.destroy();
      await pgdb.drop();
    },
  };
}

/** Runs the server's migrations up to and including `upTo`; returns Kysely's result. */
export function migrateUpTo<DB>(db: Kysely<DB>, upTo: string) {
  const provider = { getMigrations: async (): Promise<Record<string, Migration>> => Object.fromEntries(Object.entries(serverMigrations).filter(([name]) => name <= upTo)) };
  return new Migrator({ db, provider }).migrateToLatest();
}
