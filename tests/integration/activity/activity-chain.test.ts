import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendActivity, appendActivitySync, verifyChain } from '../../../src-main/db/activity-chain';
import { openLocalStore, type LocalStore } from '../../../src-main/db/open';
import { createOrder } from '../../../src-main/services/orders';
import { createPatient } from '../../../src-main/services/patients';
import { ActivityRecord } from '../../../src-shared/schemas/activity';
import { openTempStore, orderCommand, patientCommand, testActor } from '../../support/store';

let dir: string;
let store: LocalStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kassa-activity-'));
  store = await openLocalStore(join(dir, 'desk.sqlite'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const input = (action: string, details: Record<string, string | number> = {}) => ({
  clinicId: 'clinic-1',
  actorUserId: 'user-1',
  action,
  subject: 'order:1',
  outcome: 'ok' as const,
  country: 'SE',
  ip: '10.0.0.5',
  details,
});

function readChain(s: LocalStore, chainId = 'device-A'): ActivityRecord[] {
  return (s.sqlite.prepare('SELECT * FROM activity WHERE chain_id = ? ORDER BY seq').all(chainId) as Record<string, unknown>[]).map((r) =>
    ActivityRecord.parse({
      id: r.id, chainId: r.chain_id, seq: r.seq, at: r.at, clinicId: r.clinic_id, actorUserId: r.actor_user_id,
      action: r.action, subject: r.subject, outcome: r.outcome, country: r.country, ip: r.ip,
      details: JSON.parse(String(r.details)), prevHash: r.prev_hash, hash: r.hash,
    }),
  );
}

describe('activity chain', () => {
  it('links each record to the previous one and verifies intact', async () => {
    for (let i = 0; i < 5; i++) await appendActivity(store.db, 'device-A', input('order.create', { n: i }));
    const chain = readChain(store);
    expect(chain.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(chain[1]!.prevHash).toBe(chain[0]!.hash);
    expect(verifyChain(chain)).toBeNull();
  });

  it('detects an edited, a removed and a reordered record', async () => {
    for (let i = 0; i < 4; i++) await appendActivity(store.db, 'device-A', input('order.create', { amount: 100 * i }));
    const chain = readChain(store);

    const edited = chain.map((r) => (r.seq === 2 ? { ...r, details: { amount: 999_999 } } : r));
    expect(verifyChain(edited)).toEqual({ seq: 2, problem: 'hash_mismatch' });

    const removed = chain.filter((r) => r.seq !== 3);
    expect(verifyChain(removed)?.seq).toBe(4);

    const reordered = [chain[0]!, chain[2]!, chain[1]!, chain[3]!];
    expect(verifyChain(reordered)).not.toBeNull();

    // Renumbering after a removal still breaks the link to the previous hash.
    const renumbered = removed.map((r, i) => ({ ...r, seq: i + 1 }));
    expect(verifyChain(renumbered)?.problem).toMatch(/mismatch/);
  });

  it('is append-only in the database itself', async () => {
    await appendActivity(store.db, 'device-A', input('order.create'));
    expect(() => store.sqlite.prepare("UPDATE activity SET action = 'order.delete'").run()).toThrow(/append-only/);
    expect(() => store.sqlite.prepare('DELETE FROM activity').run()).toThrow(/append-only/);
    // Marking a record as synced is the one permitted change.
    expect(store.sqlite.prepare('UPDATE activity SET synced = 1').run().changes).toBe(1);
  });

  it('refuses malformed input with the field named and writes nothing', async () => {
    await expect(appendActivity(store.db, 'device-A', { ...input('order.create'), action: 'DROP TABLE' })).rejects.toThrow(/action/);
    await expect(appendActivity(store.db, 'device-A', { ...input('order.create'), country: 'Sweden' })).rejects.toThrow(/country/);
    expect(readChain(store)).toHaveLength(0);
  });

  it('rolls back with the action it records', async () => {
    await expect(
      store.db.transaction().execute(async (trx) => {
        await appendActivity(trx, 'device-A', input('order.create'));
        throw new Error('the action failed');
      }),
    ).rejects.toThrow('the action failed');
    expect(readChain(store)).toHaveLength(0);
  });
});

/**
 * The write hot path (commitCommand → appendActivitySync) reads the chain head with a prepared
 * statement on every write. These pin what that must keep: one gap-free, verifiable chain per
 * device across many writes, a restart, and a second connection to the same file writing in turn.
 */
describe('activity chain through the service write path', () => {
  it('stays exact across many writes, a reopen and two connections writing alternately', async () => {
    const t = await openTempStore();
    const actor = testActor();
    let second: LocalStore | null = null;
    try {
      const patient = await createPatient(t.store, actor, patientCommand(1));
      if (!patient.ok) throw new Error(patient.error.message);
      const create = async (s: LocalStore) => {
        const r = await createOrder(s, actor, orderCommand(patient.value.patient.id));
        if (!r.ok) throw new Error(r.error.message);
        return r.value.mutationId;
      };
      const mutations: string[] = [patient.value.mutationId];
      for (let i = 0; i < 150; i++) mutations.push(await create(t.store));
      await t.reopen();
      for (let i = 0; i < 20; i++) mutations.push(await create(t.store));
      second = await openLocalStore(t.file);
      for (let i = 0; i < 40; i++) mutations.push(await create(i % 2 === 0 ? second : t.store));

      const chain = readChain(t.store, actor.deviceId);
      expect(chain.map((r) => r.seq)).toEqual(mutations.map((_, i) => i + 1));
      expect(verifyChain(chain)).toBeNull();
      // Each record carries the mutation it belongs to, in write order.
      expect(chain.map((r) => r.details.mutationId)).toEqual(mutations);
    } finally {
      await second?.close();
      await t.cleanup();
    }
  });

  it('refuses to append outside the transaction of the action it records', () => {
    expect(() => appendActivitySync(store.sqlite, 'device-A', input('order.create'))).toThrow(/inside the transaction/);
    expect(readChain(store)).toHaveLength(0);
  });
});
