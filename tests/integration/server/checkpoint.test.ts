import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openServerDb, type ServerDb } from '../../../src-server/db/connect';

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
 * checkpointing at 16,384 WAL pages, yet the pages written reach the database file, and a clean
 * close leaves no WAL behind.
 */
it('copies committed pages into the database file from another thread and closes cleanly', async () => {
  const file = join(dir, 'server.sqlite');
  sdb = await openServerDb({ sqliteFile: file });
  const sqlite = sdb.sqlite!;
  expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(16384);

  const before = statSync(file).size;
  sqlite.exec('create table filler (x blob)');
  const insert = sqlite.prepare('insert into filler (x) values (?)');
  const blob = Buffer.alloc(8192, 7);
  // About 2,000 pages: far below this connection's own threshold.
  for (let i = 0; i < 10; i++) sqlite.transaction(() => { for (let k = 0; k < 100; k++) insert.run(blob); })();

  const deadline = Date.now() + 15_000;
  while (statSync(file).size < before + 8 * 1024 * 1024 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(statSync(file).size).toBeGreaterThanOrEqual(before + 8 * 1024 * 1024);

  await sdb.close();
  sdb = null;
  expect(existsSync(`${file}-wal`)).toBe(false);
});
