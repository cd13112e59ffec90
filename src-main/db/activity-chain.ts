import { createHash, randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Insertable, Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import { ActivityInput, activityHashInput, GENESIS_HASH, type ActivityRecord } from '../../src-shared/schemas/activity';
import type { LocalDatabase } from './database';
import { prepared } from './statements';
import type { ActivityTable } from './tables/activity';

export type Db = Kysely<LocalDatabase> | Transaction<LocalDatabase>;

export function hashActivity(r: Omit<ActivityRecord, 'hash'>): string {
  return createHash('sha256').update(activityHashInput(r), 'utf8').digest('hex');
}

/**
 * Appends one record to this device's chain. Call it INSIDE the transaction of the action it
 * records, so the action and its record commit or vanish together.
 */
export async function appendActivity(db: Db, chainId: string, input: ActivityInput, now = new Date()): Promise<ActivityRecord> {
  const parsed = ActivityInput.parse(input);
  const head = await db.selectFrom('activity').select(['seq', 'hash']).where('chain_id', '=', chainId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const record = nextRecord(head, chainId, parsed, now);
  await db.insertInto('activity').values(activityRow(record)).execute();
  return record;
}

/**
 * appendActivity for the write hot path (every user write ends with one): the same record, read
 * and written with statements prepared once per connection instead of two Kysely queries compiled
 * and prepared per call. The head is read from the database every time, never cached in memory:
 * another connection or process (a second window, the pull side, a restart) may have appended
 * since, and the UNIQUE (chain_id, seq) index makes that lookup one b-tree probe anyway.
 * `sqlite` must be the connection whose transaction the caller holds (runWrite's): the head read
 * and the insert are then one atomic step, and the writer lock taken by the action's own rows
 * keeps any other connection from appending in between.
 */
export function appendActivitySync(sqlite: Database.Database, chainId: string, input: ActivityInput, now = new Date()): ActivityRecord {
  // Outside a transaction another writer could take the same seq between the read and the insert
  // (the unique index would refuse it, but the action would already be committed without record).
  if (!sqlite.inTransaction) throw new Error('appendActivitySync: call it inside the transaction of the action it records');
  const parsed = ActivityInput.parse(input);
  const head = prepared(sqlite, HEAD_SQL).get(chainId) as { seq: number; hash: string } | undefined;
  const record = nextRecord(head, chainId, parsed, now);
  prepared(sqlite, INSERT_SQL).run(activityRow(record));
  return record;
}

const HEAD_SQL = 'SELECT seq, hash FROM activity WHERE chain_id = ? ORDER BY seq DESC LIMIT 1';

/** The record that follows `head` (null: the chain's first), hashed. */
function nextRecord(head: { seq: number; hash: string } | undefined, chainId: string, parsed: ActivityInputParsed, now: Date): ActivityRecord {
  const unsigned: Omit<ActivityRecord, 'hash'> = {
    ...parsed,
    id: randomUUID(),
    chainId,
    seq: (head?.seq ?? 0) + 1,
    at: now.toISOString(),
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  return { ...unsigned, hash: hashActivity(unsigned) };
}

type ActivityInputParsed = z.output<typeof ActivityInput>;

function activityRow(r: ActivityRecord): Insertable<ActivityTable> {
  return {
    id: r.id,
    chain_id: r.chainId,
    seq: r.seq,
    at: r.at,
    clinic_id: r.clinicId,
    actor_user_id: r.actorUserId,
    action: r.action,
    subject: r.subject,
    outcome: r.outcome,
    country: r.country,
    ip: r.ip,
    details: JSON.stringify(r.details),
    prev_hash: r.prevHash,
    hash: r.hash,
    synced: 0,
  };
}

const ACTIVITY_COLUMNS: readonly (keyof ActivityTable)[] = ['id', 'chain_id', 'seq', 'at', 'clinic_id', 'actor_user_id', 'action', 'subject', 'outcome', 'country', 'ip', 'details', 'prev_hash', 'hash', 'synced'];
const INSERT_SQL = `INSERT INTO activity (${ACTIVITY_COLUMNS.join(', ')}) VALUES (${ACTIVITY_COLUMNS.map((c) => `@${c}`).join(', ')})`;

export type ChainBreak = { seq: number; problem: 'hash_mismatch' | 'prev_hash_mismatch' | 'seq_gap' };

/** Walks a chain in seq order and reports the first edited, removed or reordered record. */
export function verifyChain(records: readonly ActivityRecord[]): ChainBreak | null {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const r of records) {
    if (r.seq !== expectedSeq) return { seq: r.seq, problem: 'seq_gap' };
    if (r.prevHash !== prev) return { seq: r.seq, problem: 'prev_hash_mismatch' };
    const { hash, ...rest } = r;
    if (hashActivity(rest) !== hash) return { seq: r.seq, problem: 'hash_mismatch' };
    prev = hash;
    expectedSeq += 1;
  }
  return null;
}

/** A stored row as the record it was hashed from (details back from JSON). */
export function activityRowToRecord(r: ActivityTable): ActivityRecord {
  return {
    id: r.id, chainId: r.chain_id, seq: r.seq, at: r.at, clinicId: r.clinic_id, actorUserId: r.actor_user_id, action: r.action, subject: r.subject,
    outcome: r.outcome as ActivityRecord['outcome'], country: r.country, ip: r.ip, details: JSON.parse(r.details) as ActivityRecord['details'],
    prevHash: r.prev_hash, hash: r.hash,
  };
}
