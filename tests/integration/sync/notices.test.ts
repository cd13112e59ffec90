import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NoticeView } from '../../../src-shared/api';
import { accountsDb } from '../../../src-server/accounts/schema';
import { World } from '../accounts/support';
import { startDeskCore, type DeskCore } from './support/desk-core';
import { createClinic, DB_KINDS, patientInput, type TestClinic } from './support/harness';

/**
 * A cancellation request from the console reaches the desk core as a notice the UI lists; a
 * person cancels the order or declines (saying why), and that handling goes to the server with
 * the desk's activity chain (the server has no acknowledgement endpoint for notices).
 */
describe.each(DB_KINDS)('central cancellation requests at the desk (%s)', (kind) => {
  let w: World;
  let sys: string;
  let clinic: TestClinic;
  let desk: DeskCore;

  beforeEach(async () => {
    w = await World.start(kind);
    sys = await w.consoleToken();
    clinic = await createClinic(w.url);
    desk = await startDeskCore(w.url, clinic);
  });
  afterEach(async () => {
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

  it('lists open requests per order, and a cancel or a reasoned decline closes them and reaches the server as activity', async () => {
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

    // The handling is on the server, in the desk's chain.
    await desk.call('sync.now', {});
    const deviceId = desk.core.deps.sync!.identity().deviceId!;
    const handled = await accountsDb(w.sdb.db).selectFrom('activity').select(['subject', 'details']).where('chain_id', '=', deviceId).where('action', '=', 'notice.handle').orderBy('seq').execute();
    expect(handled.map((r) => [r.subject, JSON.parse(r.details).outcome])).toEqual([[`order:${first}`, 'cancelled'], [`order:${second}`, 'declined']]);
  });
});
