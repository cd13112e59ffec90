import type { ServerDb } from '../db/connect';
import { feedStore } from './feed-store';
import { groupCommitter } from './group-commit';
import { ClinicWriter, lockClinic, type Executor } from './clinic-writer';

export class UnknownClinicError extends Error {}

/**
 * Runs `work` in one transaction holding the clinic lock, flushes its staged changes, and
 * announces the new cursor to listeners (inside the transaction on PostgreSQL, after commit on
 * SQLite). Everything that writes a clinic's change feed goes through here or the push path's
 * group committer; this runs as the committer's exclusive work, so on a SQLite file no pipelined
 * group is in flight meanwhile (write-behind.ts).
 */
export async function inClinicTransaction<T>(
  sdb: ServerDb,
  clinicId: string,
  work: (writer: ClinicWriter, trx: Executor, now: string) => Promise<T>,
  beforeCommit?: () => Promise<void>,
): Promise<{ value: T; lastCursor: number | null }> {
  return groupCommitter(sdb).exclusive(() => clinicTransaction(sdb, clinicId, work, beforeCommit));
}

async function clinicTransaction<T>(
  sdb: ServerDb,
  clinicId: string,
  work: (writer: ClinicWriter, trx: Executor, now: string) => Promise<T>,
  beforeCommit?: () => Promise<void>,
): Promise<{ value: T; lastCursor: number | null }> {
  const now = new Date().toISOString();
  const out = await sdb.db.transaction().execute(async (trx) => {
    if (!(await lockClinic(trx, sdb.kind, clinicId))) throw new UnknownClinicError(`Unknown clinic ${clinicId}`);
    const writer = new ClinicWriter(trx, clinicId, feedStore(sdb));
    const value = await work(writer, trx, now);
    const lastCursor = await writer.flush(now);
    if (lastCursor !== null && sdb.notifiesInTransaction) await sdb.notify(trx, clinicId, lastCursor);
    if (beforeCommit) await beforeCommit();
    return { value, lastCursor };
  });
  if (out.lastCursor !== null && !sdb.notifiesInTransaction) await sdb.notify(sdb.db, clinicId, out.lastCursor);
  return out;
}
