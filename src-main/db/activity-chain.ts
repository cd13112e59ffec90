import { createHash, randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { ActivityInput, activityHashInput, GENESIS_HASH, type ActivityRecord } from '../../src-shared/schemas/activity';
import type { LocalDatabase } from './database';
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
  const last = await db
    .selectFrom('activity')
    .select(['seq', 'hash'])
    .where('chain_id', '=', chainId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const unsigned: Omit<ActivityRecord, 'hash'> = {
    ...parsed,
    id: randomUUID(),
    chainId,
    seq: (last?.seq ?? 0) + 1,
    at: now.toISOString(),
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const record: ActivityRecord = { ...unsigned, hash: hashActivity(unsigned) };
  await db
    .insertInto('activity')
    .values({
      id: record.id,
      chain_id: record.chainId,
      seq: record.seq,
      at: record.at,
      clinic_id: record.clinicId,
      actor_user_id: record.actorUserId,
      action: record.action,
      subject: record.subject,
      outcome: record.outcome,
      country: record.country,
      ip: record.ip,
      details: JSON.stringify(record.details),
      prev_hash: record.prevHash,
      hash: record.hash,
      synced: 0,
    })
    .execute();
  return record;
}

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
