import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInvoiceSeries } from '../../../src-main/services/invoice-series';
import { issueInvoice } from '../../../src-main/services/invoices';
import { cancelOrder, createOrder, creditOrder, getMoneyEvents } from '../../../src-main/services/orders';
import { createPatient } from '../../../src-main/services/patients';
import type { MoneyEvent } from '../../../src-shared/schemas/entities';
import {
  createBackend, createClinic, DB_KINDS, enrolDesk, orderInput, patientInput, recordPayment, serverEntities, startServer,
  type Desk, type RunningServer, type TestBackend, type TestClinic,
} from './support/harness';

function must<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/**
 * The desk's money view must be the server's: a cancellation is one event with one id.
 */
describe.each(DB_KINDS)('the desk and the server agree on money (%s)', (kind) => {
  let backend: TestBackend;
  let server: RunningServer;
  let clinic: TestClinic;
  let a: Desk;
  let b: Desk;

  beforeEach(async () => {
    backend = await createBackend(kind);
    server = await startServer(backend);
    clinic = await createClinic(server.url);
    a = await enrolDesk(server.url, clinic, backend.dir, 'desk-a');
    b = await enrolDesk(server.url, clinic, backend.dir, 'desk-b');
    must(await createInvoiceSeries(a.store, a.actor, { prefix: 'A', ocrCode: 11 }));
  });

  afterEach(async () => {
    await a?.close();
    await b?.close();
    await server?.close();
    await backend?.dispose();
  });

  async function invoicedOrder() {
    const p = must(await createPatient(a.store, a.actor, patientInput())).patient;
    const o = must(await createOrder(a.store, a.actor, orderInput(p.id))).order;
    must(await issueInvoice(a.store, a.actor, { orderId: o.id, paymentOption: { kind: 'invoice14' } }));
    await a.engine.syncOnce();
    await b.engine.syncOnce();
    return o;
  }

  async function serverMoney(orderId: string): Promise<MoneyEvent[]> {
    return (await serverEntities(server.app, clinic.clinicId, 'money_event'))
      .map((r) => JSON.parse(r.data) as MoneyEvent)
      .filter((e) => e.orderId === orderId);
  }

  it('a cancellation is one event with one id (the mutation id) on the desk that cancelled, the other desk and the server', async () => {
    const o = await invoicedOrder();
    const cancelled = must(await cancelOrder(a.store, a.actor, { orderId: o.id, reason: 'wrong_invoice' }));
    expect(cancelled.event.id).toBe(cancelled.mutationId);
    await a.engine.syncOnce();
    await b.engine.syncOnce();
    const onServer = await serverMoney(o.id);
    expect(onServer).toMatchObject([{ id: cancelled.mutationId, kind: 'cancellation', amount: o.total }]);
    for (const desk of [a, b]) {
      const events = await getMoneyEvents(desk.store, desk.actor, o.id);
      expect(events.map((e) => [e.id, e.kind, e.amount])).toEqual([[cancelled.mutationId, 'cancellation', o.total]]);
    }
    // Credits carry the command's creditId on both sides: one event after the round trip too.
    const p = await invoicedOrder();
    await recordPayment(server.url, clinic.clinicId, p.id, p.total);
    await a.engine.syncOnce();
    const creditId = randomUUID();
    must(await creditOrder(a.store, a.actor, { orderId: p.id, creditId, amount: 1_000, reason: 'goodwill' }));
    await a.engine.syncOnce();
    const local = await getMoneyEvents(a.store, a.actor, p.id);
    expect(local.map((e) => e.kind).sort()).toEqual(['credit', 'payment']);
    expect(local.map((e) => e.id).sort()).toEqual((await serverMoney(p.id)).map((e) => e.id).sort());
    expect(local.find((e) => e.kind === 'credit')!.id).toBe(creditId);
  });

});
