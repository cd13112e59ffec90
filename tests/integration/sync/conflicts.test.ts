import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInvoiceSeries } from '../../../src-main/services/invoice-series';
import { issueInvoice } from '../../../src-main/services/invoices';
import { cancelOrder, createOrder, creditOrder, getOrder, updateDraftOrder } from '../../../src-main/services/orders';
import { createPatient } from '../../../src-main/services/patients';
import {
  DB_KINDS, orderInput, patientInput, recordPayment, serverEntities, type Desk, type RunningServer, type TestBackend, type TestClinic, startTwoDesks, stopTwoDesks,
} from './support/harness';
import { unwrap as must } from '../../../src-shared/domain/result';

const notices = (desk: Desk) =>
  (desk.store.sqlite.prepare(`SELECT data FROM sync_entities WHERE entity = 'notice'`).all() as { data: string }[]).map((r) => JSON.parse(r.data) as Record<string, string>);

describe.each(DB_KINDS)('status conflicts are decided by the state machine (%s)', (kind) => {
  let backend: TestBackend;
  let server: RunningServer;
  let clinic: TestClinic;
  let a: Desk;
  let b: Desk;

  beforeEach(async () => {
    ({ backend, server, clinic, a, b } = await startTwoDesks(kind));
    must(await createInvoiceSeries(a.store, a.actor, { prefix: 'A', ocrCode: 11 }));
  });

  afterEach(() => stopTwoDesks({ backend, server, clinic, a, b }));

  async function invoicedOrder() {
    const p = must(await createPatient(a.store, a.actor, patientInput())).patient;
    const o = must(await createOrder(a.store, a.actor, orderInput(p.id))).order;
    must(await issueInvoice(a.store, a.actor, { orderId: o.id, paymentOption: { kind: 'invoice14' } }));
    await a.engine.syncOnce();
    await b.engine.syncOnce();
    return o;
  }

  it('paid first, then a desk cancels: the cancel is refused with what to do instead, and both desks see why', async () => {
    const o = await invoicedOrder();
    must(await cancelOrder(b.store, b.actor, { orderId: o.id, reason: 'paid_elsewhere' })); // B is offline and annuls
    expect((await recordPayment(server.url, clinic.clinicId, o.id, o.total)).body).toMatchObject({ applied: true });
    await b.engine.syncOnce();
    await a.engine.syncOnce();
    const [rej] = b.engine.rejectedMutations();
    expect(rej).toMatchObject({ name: 'order.cancel', code: 'conflict' });
    expect(rej!.reason).toMatch(/is paid on the server.*must be credited instead/);
    expect(await getOrder(b.store, b.actor, o.id)).toMatchObject({ status: 'paid', paidTotal: o.total }); // rolled back to the server's truth
    for (const desk of [a, b]) expect(notices(desk)).toContainEqual(expect.objectContaining({ kind: 'rejected_mutation', code: 'conflict', message: rej!.reason }));
    // The person resolves it: credit instead, and discard the refused cancel.
    const credit = must(await creditOrder(b.store, b.actor, { orderId: o.id, creditId: randomUUID(), amount: o.total, reason: 'patient_request' }));
    expect(b.engine.resolveRejected(rej!.mutationId, credit.mutationId)).toBe(true);
    await b.engine.syncOnce();
    expect(b.engine.status()).toMatchObject({ pending: 0, rejected: 0 });
    expect(await getOrder(b.store, b.actor, o.id)).toMatchObject({ status: 'credited', creditedTotal: o.total });
  });

  it('cancelled first, then the payment arrives: the money is recorded, the status stays, and a notice asks for a refund', async () => {
    const o = await invoicedOrder();
    must(await cancelOrder(a.store, a.actor, { orderId: o.id, reason: 'wrong_invoice' }));
    await a.engine.syncOnce();
    const paid = await recordPayment(server.url, clinic.clinicId, o.id, o.total);
    expect(paid.body.applied).toBe(false);
    expect(paid.body.message).toMatch(/must be refunded/);
    await a.engine.syncOnce();
    await b.engine.syncOnce();
    for (const desk of [a, b]) {
      expect(await getOrder(desk.store, desk.actor, o.id)).toMatchObject({ status: 'cancelled', paidTotal: o.total });
      expect(notices(desk)).toContainEqual(expect.objectContaining({ kind: 'payment_on_closed_order', orderId: o.id }));
    }
    const money = (await serverEntities(server.app, clinic.clinicId, 'money_event')).map((r) => JSON.parse(r.data) as { kind: string });
    expect(money.map((m) => m.kind).sort()).toEqual(['cancellation', 'payment']);
  });

  it('a late draft edit after issuing is refused not_draft; over-crediting is refused with the creditable amount', async () => {
    const p = must(await createPatient(a.store, a.actor, patientInput())).patient;
    const o = must(await createOrder(a.store, a.actor, orderInput(p.id))).order;
    await a.engine.syncOnce();
    await b.engine.syncOnce();
    must(await updateDraftOrder(b.store, b.actor, { id: o.id, patch: { note: 'late' } }));
    must(await issueInvoice(a.store, a.actor, { orderId: o.id, paymentOption: { kind: 'invoice14' } }));
    await a.engine.syncOnce();
    await b.engine.syncOnce();
    expect(b.engine.rejectedMutations()[0]).toMatchObject({ name: 'order.update_draft', code: 'not_draft' });
    expect(await getOrder(b.store, b.actor, o.id)).toMatchObject({ status: 'invoiced', note: null });

    await recordPayment(server.url, clinic.clinicId, o.id, o.total);
    await a.engine.syncOnce();
    await b.engine.syncOnce();
    must(await creditOrder(a.store, a.actor, { orderId: o.id, creditId: randomUUID(), amount: o.total - 100, reason: 'goodwill' }));
    must(await creditOrder(b.store, b.actor, { orderId: o.id, creditId: randomUUID(), amount: 500, reason: 'goodwill' }));
    await a.engine.syncOnce();
    await b.engine.syncOnce();
    const over = b.engine.rejectedMutations().find((r) => r.name === 'order.credit');
    expect(over).toMatchObject({ code: 'domain_rule' });
    expect(over!.reason).toMatch(/only 100 öre remains creditable/);
    expect(await getOrder(b.store, b.actor, o.id)).toMatchObject({ creditedTotal: o.total - 100 });
  });
});
