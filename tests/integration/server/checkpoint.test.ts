import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openServerDb, SQLITE_PAGE_SIZE, type ServerDb } from '../../../src-server/db/connect';

let dir: string;
let sdb: ServerDb | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kassa-ckpt-'));
});

afterEach(async () => {
  await sdb?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The SQLite server's WAL is checkpointed by a worker thread, not inside the COMMITs of the
 * request thread (src-server/db/checkpointer.ts): the server's own connection would only start
 * checkpointing at 64 MiB of WAL (4,096 pages of 16 KiB), yet the pages written reach the
 * database file, and a clean close leaves no WAL behind.
 */
it('copies committed pages into the database file from another thread and closes cleanly', async () => {
  const file = join(dir, 'server.sqlite');
  sdb = await openServerDb({ sqliteFile: file });
  const sqlite = sdb.sqlite!;
  expect(sqlite.pragma('page_size', { simple: true })).toBe(SQLITE_PAGE_SIZE);
  expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(4096);

  const before = statSync(file).size;
  sqlite.exec('create table filler (x blob)');
  const insert = sqlite.prepare('insert into filler (x) values (?)');
  const blob = Buffer.alloc(8192, 7);
  // About 8 MiB: far below this connection's own threshold.
  for (let i = 0; i < 10; i++) sqlite.transaction(() => { for (let k = 0; k < 100; k++) insert.run(blob); })();

  const deadline = Date.now() + 15_000;
  while (statSync(file).size < before + 8 * 1024 * 1024 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(statSync(file).size).toBeGreaterThanOrEqual(before + 8 * 1024 * 1024);

  await sdb.close();
  sdb = null;
  expect(existsSync(`${file}-wal`)).toBe(false);
});

/**
 * A new server file gets 16 KiB pages (connect.ts); a file an older server made keeps its 4 KiB
 * pages (SQLite cannot change them in WAL mode), migrates, and keeps the same 64 MiB safety net.
 */
it('keeps the page size of an existing file and scales the checkpoint threshold to it', async () => {
  const file = join(dir, 'old.sqlite');
  const old = new Database(file);
  old.pragma('page_size = 4096');
  old.pragma('journal_mode = WAL');
  old.exec('create table kept (x text)');
  old.prepare('insert into kept (x) values (?)').run('from before');
  old.close();

  sdb = await openServerDb({ sqliteFile: file });
  const sqlite = sdb.sqlite!;
  expect(sqlite.pragma('page_size', { simple: true })).toBe(4096);
  expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(16384);
  expect(sqlite.prepare('select x from kept').pluck().get()).toBe('from before');
  expect(await sdb.db.selectFrom('clinics').select('id').execute()).toEqual([]);
});
