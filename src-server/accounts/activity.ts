import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { ActivityInput, activityHashInput, ActivityRecord, GENESIS_HASH } from '../../src-shared/schemas/activity';
import type { ServerDb } from '../db/connect';
import { accountsDb, type AccountsExecutor, type ActivityTable } from './schema';

/** The server's own chain; desks' chains are keyed by their device id. */
export const SERVER_CHAIN = 'server';

// Same bytes as src-main/db/activity-chain.ts (activityHashInput is shared); the server may not
// import src-main, and node:crypto may not live in src-shared, so the one-line digest is repeated.
export function hashActivity(r: Omit<ActivityRecord, 'hash'>): string {
  return createHash('sha256').update(activityHashInput(r), 'utf8').digest('hex');
}

export function rowToRecord(r: ActivityTable): ActivityRecord {
  return {
    id: r.id, chainId: r.chain_id, seq: Number(r.seq), at: r.at, clinicId: r.clinic_id, actorUserId: r.actor_user_id, action: r.action,
    subject: r.subject, outcome: r.outcome as ActivityRecord['outcome'], country: r.country, ip: r.ip,
    details: JSON.parse(r.details) as ActivityRecord['details'], prevHash: r.prev_hash, hash: r.hash,
  };
}

function recordToRow(r: ActivityRecord, receivedAt: string): ActivityTable {
  return {
    chain_id: r.chainId, seq: r.seq, id: r.id, at: r.at, clinic_id: r.clinicId, actor_user_id: r.actorUserId, action: r.action, subject: r.subject,
    outcome: r.outcome, country: r.country, ip: r.ip, details: JSON.stringify(r.details), prev_hash: r.prevHash, hash: r.hash, received_at: receivedAt,
  };
}

/** Serializes appends to one chain: the head row lock on PostgreSQL, the single writer on SQLite. */
async function lockHead(trx: AccountsExecutor, kind: ServerDb['kind'], chainId: string): Promise<{ last_seq: number; last_hash: string } | undefined> {
  if (kind === 'postgres') {
    // Two first appends would both find no head row to lock: take a transaction lock on the name.
    await sql`select pg_advisory_xact_lock(hashtext(${`kassa_activity:${chainId}`}))`.execute(trx);
  }
  return trx.selectFrom('activity_heads').select(['last_seq', 'last_hash']).where('chain_id', '=', chainId).executeTakeFirst();
}

async function writeRecords(trx: AccountsExecutor, chainId: string, records: ActivityRecord[], hadHead: boolean, now: string): Promise<void> {
  if (records.length === 0) return;
  for (let i = 0; i < records.length; i += 200) await trx.insertInto('activity').values(records.slice(i, i + 200).map((r) => recordToRow(r, now))).execute();
  const last = records[records.length - 1]!;
  if (hadHead) await trx.updateTable('activity_heads').set({ last_seq: last.seq, last_hash: last.hash }).where('chain_id', '=', chainId).execute();
  else await trx.insertInto('activity_heads').values({ chain_id: chainId, last_seq: last.seq, last_hash: last.hash }).execute();
}

/**
 * Appends one record to the server's chain. Pass the caller's transaction when the record belongs
 * to a change (it commits or vanishes with it); otherwise it runs in its own.
 */
export async function appendServerActivity(sdb: ServerDb, input: ActivityInput, trx?: AccountsExecutor): Promise<ActivityRecord> {
  const parsed = ActivityInput.parse(input);
  const run = async (t: AccountsExecutor) => {
    const head = await lockHead(t, sdb.kind, SERVER_CHAIN);
    const now = new Date().toISOString();
    const unsigned: Omit<ActivityRecord, 'hash'> = {
      ...parsed, id: randomUUID(), chainId: SERVER_CHAIN, seq: Number(head?.last_seq ?? 0) + 1, at: now, prevHash: head?.last_hash ?? GENESIS_HASH,
    };
    const record: ActivityRecord = { ...unsigned, hash: hashActivity(unsigned) };
    await writeRecords(t, SERVER_CHAIN, [record], head !== undefined, now);
    return record;
  };
  if (trx) return run(trx);
  return accountsDb(sdb.db).transaction().execute(run);
}

export class ActivityUploadRefused extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Stores a slice of a desk's chain. Each record must continue the stored chain exactly (next seq,
 * prevHash = stored head) and hash correctly; anything else is refused with the field named, and
 * nothing of the batch is stored. Records already stored (same seq and hash) are skipped, so a
 * desk that lost the answer can resend.
 */
export async function storeDeskActivity(sdb: ServerDb, device: { id: string; clinicId: string }, records: ActivityRecord[]): Promise<{ lastSeq: number }> {
  return accountsDb(sdb.db).transaction().execute(async (trx) => {
    const head = await lockHead(trx, sdb.kind, device.id);
    let seq = Number(head?.last_seq ?? 0);
    let prev = head?.last_hash ?? GENESIS_HASH;
    const fresh: ActivityRecord[] = [];
    for (const [i, r] of records.entries()) {
      if (r.chainId !== device.id) throw new ActivityUploadRefused(`records.${i}.chainId`, 'A desk may only upload its own chain (chainId = its device id).');
      if (r.clinicId !== device.clinicId) throw new ActivityUploadRefused(`records.${i}.clinicId`, "A record must belong to the device's clinic.");
      if (r.seq <= seq && fresh.length === 0) {
        const stored = await trx.selectFrom('activity').select('hash').where('chain_id', '=', device.id).where('seq', '=', r.seq).executeTakeFirst();
        const { hash: _h, ...resent } = r;
        // A resend must be the stored record itself, not another record under its hash.
        if (stored?.hash === r.hash && hashActivity(resent) === r.hash) continue;
        throw new ActivityUploadRefused(`records.${i}.hash`, `Record ${r.seq} differs from the one stored earlier: the desk's chain was altered.`);
      }
      if (r.seq !== seq + 1) throw new ActivityUploadRefused(`records.${i}.seq`, `Expected record ${seq + 1} of this chain, got ${r.seq}.`);
      if (r.prevHash !== prev) throw new ActivityUploadRefused(`records.${i}.prevHash`, `Record ${r.seq} does not link to record ${seq}.`);
      const { hash, ...rest } = r;
      if (hashActivity(rest) !== hash) throw new ActivityUploadRefused(`records.${i}.hash`, `Record ${r.seq} does not match its hash.`);
      fresh.push(r);
      seq = r.seq;
      prev = r.hash;
    }
    await writeRecords(trx, device.id, fresh, head !== undefined, new Date().toISOString());
    return { lastSeq: seq };
  });
}

export type ChainProblem = 'hash_mismatch' | 'prev_hash_mismatch' | 'seq_gap' | 'head_mismatch';
export interface ChainReport {
  chainId: string;
  records: number;
  ok: boolean;
  problem: ChainProblem | null;
  seq: number | null;
}

/** Walks records in seq order; the first edited, removed or reordered record is reported. */
export function verifyRecords(chainId: string, records: readonly ActivityRecord[], head: { last_seq: number; last_hash: string } | undefined): ChainReport {
  let prev = GENESIS_HASH;
  let expected = 1;
  const fail = (problem: ChainProblem, seq: number | null): ChainReport => ({ chainId, records: records.length, ok: false, problem, seq });
  for (const r of records) {
    if (r.seq !== expected) return fail('seq_gap', expected);
    if (r.prevHash !== prev) return fail('prev_hash_mismatch', r.seq);
    const { hash, ...rest } = r;
    if (hashActivity(rest) !== hash) return fail('hash_mismatch', r.seq);
    prev = hash;
    expected += 1;
  }
  // Removing the newest records leaves a valid prefix: only the head row notices.
  const lastSeq = expected - 1;
  if (head && (Number(head.last_seq) !== lastSeq || head.last_hash !== prev)) return fail('head_mismatch', Number(head.last_seq));
  if (!head && records.length > 0) return fail('head_mismatch', lastSeq);
  return { chainId, records: records.length, ok: true, problem: null, seq: null };
}

/** Verifies every chain (or one), reading records in seq order. */
export async function verifyAllChains(sdb: ServerDb, onlyChain?: string): Promise<ChainReport[]> {
  const db = accountsDb(sdb.db);
  let headsQ = db.selectFrom('activity_heads').selectAll();
  if (onlyChain) headsQ = headsQ.where('chain_id', '=', onlyChain);
  const heads = new Map((await headsQ.execute()).map((h) => [h.chain_id, h]));
  let chainsQ = db.selectFrom('activity').select('chain_id').distinct();
  if (onlyChain) chainsQ = chainsQ.where('chain_id', '=', onlyChain);
  const ids = new Set([...heads.keys(), ...(await chainsQ.execute()).map((r) => r.chain_id)]);
  const reports: ChainReport[] = [];
  for (const chainId of [...ids].sort()) {
    const rows = await db.selectFrom('activity').selectAll().where('chain_id', '=', chainId).orderBy('seq').execute();
    reports.push(verifyRecords(chainId, rows.map(rowToRecord), heads.get(chainId)));
  }
  return reports;
}
