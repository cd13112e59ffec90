import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrder, updateDraftOrder } from '../../../src-main/services/orders';
import { createPatient } from '../../../src-main/services/patients';
import { accountsDb } from '../../../src-server/accounts/schema';
import { unwrap as must } from '../../../src-shared/domain/result';
import type { ChainVerification } from '../../../src-shared/schemas/console';
import { World } from '../accounts/support';
import { createClinic, DB_KINDS, enrolDesk, orderInput, patientInput, type Desk } from './support/harness';

/**
 * The desk uploads its hash-chained activity records to the real server (SQLite and PostgreSQL)
 * after its pushes: in batches, resuming from what the server acknowledged, and a chain altered
 * on the desk is refused (409) and shown in the sync status instead of being dropped.
 */
describe.each(DB_KINDS)('desk activity upload (%s)', (kind) => {
  let w: World;
  let desk: Desk;
  let sys: string;

  beforeEach(async () => {
    w = await World.start(kind);
    sys = await w.consoleToken();
    const clinic = await createClinic(w.url);
    // Small batches, so a handful of actions already takes several requests.
    desk = await enrolDesk(w.url, clinic, w.backend.dir, 'desk-a', { activityBatchSize: 2 });
  });
  afterEach(async () => {
    await desk?.close();
    await w?.close();
  });

  const local = () => desk.store.sqlite.prepare(`SELECT seq, hash, synced FROM activity WHERE chain_id = ? ORDER BY seq`).all(desk.actor.deviceId) as { seq: number; hash: string; synced: number }[];
  const onServer = () => accountsDb(w.sdb.db).selectFrom('activity').select(['seq', 'hash']).where('chain_id', '=', desk.actor.deviceId).orderBy('seq').execute();
  const verify = async () => (await w.con<ChainVerification>(sys, 'POST', `/activity/verify?chainId=${desk.actor.deviceId}`)).body;

  async function someWork() {
    const p = must(await createPatient(desk.store, desk.actor, patientInput())).patient;
    const o = must(await createOrder(desk.store, desk.actor, orderInput(p.id))).order;
    must(await updateDraftOrder(desk.store, desk.actor, { id: o.id, patch: { clinician: 'Dr Ek' } }));
  }

  it('uploads every record of the chain in batches, resumes from the acknowledged seq, and the console verifies it intact', async () => {
    await someWork();
    expect(desk.engine.status().activityUpload).toMatchObject({ pending: 3, ackedSeq: 0, refused: null });
    await desk.engine.syncOnce();

    const sent = local();
    expect(sent.map((r) => r.synced)).toEqual([1, 1, 1]);
    expect((await onServer()).map((r) => [Number(r.seq), r.hash])).toEqual(sent.map((r) => [r.seq, r.hash]));
    expect(desk.engine.status()).toMatchObject({ lastError: null, activityUpload: { pending: 0, ackedSeq: 3, refused: null } });

    // More work: only the new records go up, continuing the stored chain.
    await someWork();
    await desk.engine.syncOnce();
    expect((await onServer()).map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(desk.engine.status().activityUpload).toMatchObject({ pending: 0, ackedSeq: 6 });

    // A desk that lost the server's answer (acknowledgement forgotten) resends; the server skips what it has.
    desk.store.sqlite.prepare(`UPDATE sync_state SET value = '2' WHERE key = 'activity_acked_seq'`).run();
    await desk.engine.syncOnce();
    expect(desk.engine.status()).toMatchObject({ lastError: null, activityUpload: { ackedSeq: 6, refused: null } });
    expect(await onServer()).toHaveLength(6);

    const v = await verify();
    expect(v.ok).toBe(true);
    expect(v.chains).toEqual([expect.objectContaining({ chainId: desk.actor.deviceId, records: 6, ok: true })]);
  });

  it('refuses a record altered on the desk before upload with 409, reports it in the sync status and keeps it pending', async () => {
    await someWork();
    await desk.engine.syncOnce();
    await someWork();
    // Someone edits the SQLite file: the not yet uploaded order record gets another subject.
    desk.store.sqlite.exec(`DROP TRIGGER activity_no_update`);
    desk.store.sqlite.prepare(`UPDATE activity SET subject = 'order:someone-else' WHERE chain_id = ? AND seq = 5`).run(desk.actor.deviceId);

    await expect(desk.engine.syncOnce()).rejects.toThrow(/refused this desk's activity records.*Record 5 does not match its hash/);
    const status = desk.engine.status();
    expect(status.activityUpload.refused).toMatch(/Record 5 does not match its hash/);
    expect(status.lastError).toMatch(/Record 5/);
    // Nothing of the refused batch (records 4 and 5) was stored or marked sent, nor anything after it.
    expect((await onServer()).map((r) => Number(r.seq))).toEqual([1, 2, 3]);
    expect(local().filter((r) => r.synced === 0).map((r) => r.seq)).toEqual([4, 5, 6]);
    expect(status.activityUpload).toMatchObject({ pending: 3, ackedSeq: 3 });
    // The outbox itself still went up: the refusal is about the log, not the clinic's data.
    expect(status.pending).toBe(0);
    // Every later round says so again, rather than dropping the record.
    await expect(desk.engine.syncOnce()).rejects.toThrow(/Record 5/);
    expect((await verify()).ok).toBe(true);
  });
});
