import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInvoiceSeries } from '../../../src-main/services/invoice-series';
import { issueInvoice } from '../../../src-main/services/invoices';
import { cancelOrder, createOrder, creditOrder, getMoneyEvents, getOrder, getVoidedMoneyEvents } from '../../../src-main/services/orders';
import { createPatient } from '../../../src-main/services/patients';
import { inClinicTransaction } from '../../../src-server/sync/transact';
import { moveOrder, type OrderEvent } from '../../../src-shared/domain/order-state';
import type { MoneyEvent, Order } from '../../../src-shared/schemas/entities';
import {
  DB_KINDS, orderInput, patientInput, recordPayment, serverEntities, type Desk, type RunningServer, type TestBackend, type TestClinic, startTwoDesks, stopTwoDesks,
} from './support/harness';
import { unwrap as must } from '../../../src-shared/domain/result';

/**
 * The desk's money view must be the server's: activation is a recorded fact on both sides, a
 * cancellation is one event with one id, and a rejected cancel or credit leaves no money behind.
 */
describe.each(DB_KINDS)('the desk and the server agree on money (%s)', (kind) => {
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

  async function invoicedOrder(paymentOption: { kind: 'invoice14' } | { kind: 'installments'; months: 12 } = { kind: 'invoice14' }) {
    const p = must(await createPatient(a.store, a.actor, patientInput())).patient;
    const o = must(await createOrder(a.store, a.actor, orderInput(p.id))).order;
    must(await issueInvoice(a.store, a.actor, { orderId: o.id, paymentOption }));
    await a.engine.syncOnce();
    await b.engine.syncOnce();
    return o;
  }

  /**
   * Provider outcomes (a plan started, a due date passed) do not reach the server yet; this moves
   * the server's order the way that path will: the shared moveOrder in one clinic transaction.
   */
  async function providerEvents(orderId: string, events: OrderEvent[]) {
    await inClinicTransaction(server.app.sdb, clinic.clinicId, async (w, _trx, now) => {
      let order = (await w.get('order', orderId)) as unknown as Order;
      for (const event of events) {
        const moved = moveOrder(order, event, now);
        if (!moved.ok) throw new Error(moved.error.message);
        const { activatedAt, ...state } = moved.value;
        order = { ...order, status: state.status, statusReason: state.reason, ...(activatedAt === null ? {} : { activatedAt }), updatedAt: now };
      }
      w.put('order', orderId, order as unknown as Record<string, unknown>, null);
    });
  }

  async function serverMoney(orderId: string): Promise<MoneyEvent[]> {
    return (await serverEntities(server.app, clinic.clinicId, 'money_event'))
      .map((r) => JSON.parse(r.data) as MoneyEvent)
      .filter((e) => e.orderId === orderId);
  }

  it('an overdue installment plan without any payment is activated: credited, never annulled, on the desk and on the server', async () => {
    const o = await invoicedOrder({ kind: 'installments', months: 12 });
    // B annuls while it still sees the invoice (offline); meanwhile the plan starts and falls due.
    must(await cancelOrder(b.store, b.actor, { orderId: o.id, reason: 'patient_request' }));
    await providerEvents(o.id, [{ type: 'plan_started' }, { type: 'due_date_passed' }]);
    const onServer = JSON.parse((await serverEntities(server.app, clinic.clinicId, 'order')).find((r) => r.id === o.id)!.data) as Order;
    expect(onServer).toMatchObject({ status: 'overdue', paidTotal: 0, activatedAt: expect.any(String) });

    // The server refuses B's annulment: money or credit has been committed.
    await b.engine.syncOnce();
    const [rej] = b.engine.rejectedMutations();
    expect(rej).toMatchObject({ name: 'order.cancel', code: 'conflict' });
    expect(rej!.reason).toMatch(/is overdue on the server.*credit it instead/);
    expect(await getOrder(b.store, b.actor, o.id)).toEqual(onServer);

    // A learns the fact through the feed and refuses the annulment locally, with the reason.
    await a.engine.syncOnce();
    expect(await getOrder(a.store, a.actor, o.id)).toEqual(onServer);
    const refused = await cancelOrder(a.store, a.actor, { orderId: o.id, reason: 'patient_request' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatchObject({ code: 'conflict', reason: 'illegal_transition', message: expect.stringMatching(/credit it instead/) });

    // Crediting is the right undo, and the server agrees.
    must(await creditOrder(a.store, a.actor, { orderId: o.id, creditId: randomUUID(), amount: o.total, reason: 'patient_request' }));
    await a.engine.syncOnce();
    expect(a.engine.rejectedMutations()).toEqual([]);
    const credited = JSON.parse((await serverEntities(server.app, clinic.clinicId, 'order')).find((r) => r.id === o.id)!.data) as Order;
    expect(credited).toMatchObject({ status: 'credited', creditedTotal: o.total, activatedAt: onServer.activatedAt });
    expect(await getOrder(a.store, a.actor, o.id)).toEqual(credited);
  });

  it('an overdue invoice that was never paid nor a plan is still annulled, not credited', async () => {
    const o = await invoicedOrder();
    await providerEvents(o.id, [{ type: 'due_date_passed' }]);
    await a.engine.syncOnce();
    const credit = await creditOrder(a.store, a.actor, { orderId: o.id, creditId: randomUUID(), amount: o.total, reason: 'goodwill' });
    expect(credit.ok).toBe(false);
    must(await cancelOrder(a.store, a.actor, { orderId: o.id, reason: 'wrong_invoice' }));
    await a.engine.syncOnce();
    expect(a.engine.rejectedMutations()).toEqual([]);
    expect(await getOrder(a.store, a.actor, o.id)).toMatchObject({ status: 'cancelled' });
    expect((await getOrder(a.store, a.actor, o.id))!.activatedAt).toBeUndefined();
  });

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

  it('a rejected cancel or credit leaves no money event in the desk view; the void keeps the server reason', async () => {
    // Paid first, then B (offline) annuls: the server rejects, B must not show a cancellation.
    const o = await invoicedOrder();
    const cancel = must(await cancelOrder(b.store, b.actor, { orderId: o.id, reason: 'paid_elsewhere' }));
    await recordPayment(server.url, clinic.clinicId, o.id, o.total);
    await b.engine.syncOnce();
    const rejectedCancel = b.engine.rejectedMutations().find((r) => r.mutationId === cancel.mutationId);
    expect(rejectedCancel).toMatchObject({ code: 'conflict' });
    const serverIds = (await serverMoney(o.id)).map((e) => e.id).sort();
    expect((await getMoneyEvents(b.store, b.actor, o.id)).map((e) => e.id).sort()).toEqual(serverIds);
    expect(await getVoidedMoneyEvents(b.store, b.actor, o.id)).toMatchObject([
      { event: { id: cancel.mutationId, kind: 'cancellation' }, mutationId: cancel.mutationId, code: 'conflict', reason: rejectedCancel!.reason },
    ]);

    // Two desks credit the same paid order; the one that would over-credit is rejected.
    await a.engine.syncOnce();
    must(await creditOrder(a.store, a.actor, { orderId: o.id, creditId: randomUUID(), amount: o.total - 100, reason: 'goodwill' }));
    const over = must(await creditOrder(b.store, b.actor, { orderId: o.id, creditId: randomUUID(), amount: 500, reason: 'goodwill' }));
    await a.engine.syncOnce();
    await b.engine.syncOnce();
    expect(b.engine.rejectedMutations().find((r) => r.mutationId === over.mutationId)).toMatchObject({ code: 'domain_rule' });
    const truth = (await serverMoney(o.id)).map((e) => [e.id, e.kind, e.amount]).sort();
    for (const desk of [a, b]) {
      expect((await getMoneyEvents(desk.store, desk.actor, o.id)).map((e) => [e.id, e.kind, e.amount]).sort()).toEqual(truth);
      expect(await getOrder(desk.store, desk.actor, o.id)).toMatchObject({ creditedTotal: o.total - 100 });
    }
    expect((await getVoidedMoneyEvents(b.store, b.actor, o.id)).map((v) => v.event.id)).toEqual([cancel.mutationId, over.event.id]);
    // A void is final and only for events the server never confirmed.
    expect(() => b.store.sqlite.exec('DELETE FROM money_event_voids')).toThrow(/append-only/);
    const confirmed = (await serverMoney(o.id)).find((e) => e.kind === 'credit')!;
    expect(() => b.store.sqlite.prepare(`INSERT INTO money_event_voids (event_id, mutation_id, code, reason, at) VALUES (?, 'm', 'c', 'r', 'now')`).run(confirmed.id))
      .toThrow(/never confirmed/);
  });
});
