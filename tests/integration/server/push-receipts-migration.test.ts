import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { PushReceiptsTable } from '../../../src-server/db/schema';
import { receiptEntries } from '../../../src-server/sync/receipts';
import { DB_KINDS, type DbKind } from '../sync/support/harness';
import { migrateUpTo, openUnmigrated } from './support/migrations';

/**
 * 007 replaces the per-mutation `mutations` rows with per-push receipts. A desk that resends after
 * the upgrade must still learn what happened the first time, so every recorded mutation must come
 * back from the receipts with its id, command, actor and, if it was rejected, the same code, reason
 * and field.
 */
interface MutationRow {
  device_id: string;
  seq: number;
  mutation_id: string;
  clinic_id: string;
  name: string;
  actor_user_id: string;
  status: 'applied' | 'rejected';
  code: string | null;
  reason: string | null;
  field: string | null;
  received_at: string;
}
interface Db {
  mutations: MutationRow;
  push_receipts: PushReceiptsTable;
}

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

async function openRaw(kind: DbKind): Promise<Kysely<Db>> {
  const opened = await openUnmigrated<Db>(kind, 'kassa-m007');
  close = opened.close;
  return opened.db;
}

describe.each(DB_KINDS)('migration 007_push_receipts (%s)', (kind) => {
  it('keeps every recorded mutation, with its outcome, as a receipt of its seq', async () => {
    const db = await openRaw(kind);
    expect((await migrateUpTo(db, '006_entity_docs')).error).toBeUndefined();
    const at = '2026-11-22T10:00:00.000Z';
    const row = (device: string, seq: number, status: 'applied' | 'rejected', code: string | null = null, reason: string | null = null, field: string | null = null): MutationRow => ({
      device_id: device, seq, mutation_id: `m-${device}-${seq}`, clinic_id: 'c1', name: 'patient.create', actor_user_id: 'u1', status, code, reason, field, received_at: at,
    });
    await db.insertInto('mutations').values([
      row('d1', 1, 'applied'),
      row('d1', 2, 'rejected', 'invalid_payload', 'personnummer: "19900101-0000" är inte giltigt \\ 🦷', 'personnummer'),
      row('d1', 3, 'rejected', 'conflict', 'Ordern är redan makulerad.'),
      row('d2', 1, 'applied'),
    ]).execute();

    const { error } = await migrateUpTo(db, '007_push_receipts');
    expect(error).toBeUndefined();

    const receipts = await db.selectFrom('push_receipts').selectAll().orderBy('device_id').orderBy('first_seq').execute();
    expect(receipts.map((r) => [r.device_id, Number(r.first_seq), Number(r.last_seq), r.clinic_id, r.received_at])).toEqual([
      ['d1', 1, 1, 'c1', at], ['d1', 2, 2, 'c1', at], ['d1', 3, 3, 'c1', at], ['d2', 1, 1, 'c1', at],
    ]);
    expect(receipts.flatMap((r) => receiptEntries(r).map(([seq, e]) => [r.device_id, seq, e]))).toEqual([
      ['d1', 1, { id: 'm-d1-1', name: 'patient.create', actor: 'u1' }],
      ['d1', 2, { id: 'm-d1-2', name: 'patient.create', actor: 'u1', code: 'invalid_payload', reason: 'personnummer: "19900101-0000" är inte giltigt \\ 🦷', field: 'personnummer' }],
      ['d1', 3, { id: 'm-d1-3', name: 'patient.create', actor: 'u1', code: 'conflict', reason: 'Ordern är redan makulerad.' }],
      ['d2', 1, { id: 'm-d2-1', name: 'patient.create', actor: 'u1' }],
    ]);
    await expect(sql`select count(*) from mutations`.execute(db)).rejects.toThrow(/mutations/);
    if (kind === 'postgres') {
      // This server has lz4 (Debian's PostgreSQL 15): the outcomes column uses it.
      const { rows } = await sql<{ c: string }>`select attcompression as c from pg_attribute where attrelid = 'push_receipts'::regclass and attname = 'outcomes'`.execute(db);
      expect(rows[0]!.c).toBe('l');
    }
  });
});
