import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NoticeView } from '../../../src-shared/api';
import { accountsDb } from '../../../src-server/accounts/schema';
import { World } from '../accounts/support';
import { startDeskCore, type DeskCore } from './support/desk-core';
import { randomUUID } from 'node:crypto';
import type { PushResponse } from '../../../src-shared/sync/protocol';
import { api, createClinic, DB_KINDS, enrolmentCode, patientInput, serverEntities, type TestClinic } from './support/harness';

/**
 * A cancellation request from the console reaches the desk core as a notice the UI lists; a
 * person cancels the order or declines (saying why). The handling is the synced command
 * notice.handle: the server records it on the notice, so the other desks and the console see it,
 * and it is in the desk's activity chain too.
 */
describe.each(DB_KINDS)('central cancellation requests at the desk (%s)', (kind) => {
  let w: World;
  let sys: string;
  let clinic: TestClinic;
  let desk: DeskCore;
  let other: DeskCore;

  beforeEach(async () => {
    w = await World.start(kind);
    sys = await w.consoleToken();
    clinic = await createClinic(w.url);
    desk = await startDeskCore(w.url, clinic);
    other = await startDeskCore(w.url, clinic, 'T');
  });
  afterEach(async () => {
    await other?.close();
    await desk?.close();
    await w?.close();
  });

  async function draftOrder(): Promise<string> {
    const { id: patientId } = await desk.call<{ id: string }>('patients.create', { ...patientInput(), id: undefined });
    const o = await desk.call<{ id: string }>('orders.create', {
      patientId, clinician: 'Dr Berg', lines: [{ priceItemId: null, code: 'U1', description: 'Undersökning', quantity: 1, unitPrice: 95_000, vatCode: 'exempt' }],
    });
    await desk.call('sync.now', {});
    return o.id;
  }
  const request = (orderId: string, body: unknown) => w.con(sys, 'POST', `/orders/${clinic.clinicId}/${orderId}/cancellation-request`, body);
  const list = (input: Record<string, unknown> = {}) => desk.call<NoticeView[]>('notices.list', input);

  it('lists open requests per order, and a cancel or a reasoned decline closes them on every desk and reaches the server', async () => {
    const first = await draftOrder();
    const second = await draftOrder();
    expect((await request(first, { reason: 'patient_request', note: 'Patienten har avbokat' })).status).toBe(200);
    expect((await request(second, { reason: 'duplicate' })).status).toBe(200);
    await desk.call('sync.now', {});

    const open = await list({ openOnly: true });
    expect(open.map((n) => n.orderId).sort()).toEqual([first, second].sort());
    expect((await list({ orderId: first }))[0]).toMatchObject({
      kind: 'cancellation_requested', reason: 'patient_request', note: 'Patienten har avbokat', requestedByName: 'Sara Systemsson', orderStatus: 'draft', open: true, handledAt: null,
    });

    // The first is answered by cancelling the order (what the banner's M does), then marked handled.
    await desk.call('orders.cancel', { orderId: first, reason: 'patient_request', note: 'Patienten har avbokat' });
    expect((await list({ orderId: first }))[0]).toMatchObject({ orderStatus: 'cancelled', open: false });
    const firstId = (await list({ orderId: first }))[0]!.id;
    await desk.call('notices.handle', { id: firstId, outcome: 'cancelled' });
    await expect(desk.call('notices.handle', { id: firstId, outcome: 'cancelled' })).rejects.toMatchObject({ code: 'conflict', field: 'id' });

    // The second is declined: only with a reason.
    const secondId = (await list({ orderId: second }))[0]!.id;
    await expect(desk.call('notices.handle', { id: secondId, outcome: 'declined' })).rejects.toMatchObject({ field: 'note' });
    await desk.call('notices.handle', { id: secondId, outcome: 'declined', note: 'Behandlingen är redan utförd' });
    expect(await list({ openOnly: true })).toEqual([]);
    expect((await list({ orderId: second }))[0]).toMatchObject({ orderStatus: 'draft', open: false, handledByName: 'Anna Andersson' });

    // The server records the handling on the notice: the other desk sees both requests closed.
    await desk.call('sync.now', {});
    const onServer = new Map((await serverEntities(w.server.app, clinic.clinicId, 'notice')).map((r) => [r.id, JSON.parse(r.data)]));
    expect(onServer.get(secondId)).toMatchObject({ handled: { outcome: 'declined', note: 'Behandlingen är redan utförd', byName: 'Anna Andersson' } });
    expect(onServer.get(firstId)).toMatchObject({ handled: { outcome: 'cancelled' } });
    await other.call('sync.now', {});
    expect(await other.call<NoticeView[]>('notices.list', { openOnly: true })).toEqual([]);
    expect((await other.call<NoticeView[]>('notices.list', { orderId: second }))[0]).toMatchObject({ open: false, handledByName: 'Anna Andersson', orderStatus: 'draft' });
    await expect(other.call('notices.handle', { id: secondId, outcome: 'cancelled' })).rejects.toMatchObject({ code: 'conflict' });

    // A desk that handled it too while it could not know (offline) is refused by the server, with who did.
    const enrolled = await api<{ deviceId: string; deviceCredential: string }>(w.url, 'POST', '/v1/enrol', { code: await enrolmentCode(w.url, clinic.clinicId), deviceName: 'Kassa 3' });
    const late = await api<PushResponse>(w.url, 'POST', '/v1/sync/push', {
      mutations: [{ mutationId: randomUUID(), deviceId: enrolled.body.deviceId, seq: 1, name: 'notice.handle', actorUserId: clinic.userId, payload: { noticeId: secondId, outcome: 'cancelled' }, clientTime: new Date().toISOString() }],
    }, { authorization: `Device ${enrolled.body.deviceId}:${enrolled.body.deviceCredential}` });
    expect(late.body.results[0]).toMatchObject({ status: 'rejected', code: 'conflict', field: 'noticeId' });
    expect(late.body.results[0]).toHaveProperty('reason', expect.stringContaining('Anna Andersson already handled this request (declined)'));

    // The handling is in the desk's activity chain on the server too.
    const deviceId = desk.core.deps.sync!.identity().deviceId!;
    const handled = await accountsDb(w.sdb.db).selectFrom('activity').select(['subject', 'details']).where('chain_id', '=', deviceId).where('action', '=', 'notice.handle').orderBy('seq').execute();
    expect(handled.map((r) => [r.subject, JSON.parse(r.details).outcome])).toEqual([[`order:${first}`, 'cancelled'], [`order:${second}`, 'declined']]);
  });
});
