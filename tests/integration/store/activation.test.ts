import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalStore } from '../../../src-main/db/open';
import { createInvoiceSeries } from '../../../src-main/services/invoice-series';
import { issueInvoice } from '../../../src-main/services/invoices';
import { cancelOrder, createOrder, creditOrder, getOrder } from '../../../src-main/services/orders';
import { createPatient } from '../../../src-main/services/patients';
import { openTempStore, orderCommand, patientCommand, testActor, type TempStore } from '../../support/store';

const actor = testActor();
let t: TempStore;
let store: LocalStore;

beforeEach(async () => {
  t = await openTempStore();
  store = t.store;
});
afterEach(async () => {
  await t.cleanup();
});

async function invoiced(option: { kind: 'invoice14' } | { kind: 'installments'; months: 12 } = { kind: 'invoice14' }) {
  const s = await createInvoiceSeries(store, actor, { prefix: 'K1', ocrCode: 17 });
  if (!s.ok) throw new Error(s.error.message);
  const p = await createPatient(store, actor, patientCommand(1));
  if (!p.ok) throw new Error(p.error.message);
  const o = await createOrder(store, actor, orderCommand(p.value.patient.id));
  if (!o.ok) throw new Error(o.error.message);
  const r = await issueInvoice(store, actor, { orderId: o.value.order.id, paymentOption: option });
  if (!r.ok) throw new Error(r.error.message);
  return o.value.order;
}

describe('activation is a recorded fact on the desk', () => {
  it('an overdue plan that was activated (no payment yet) is credited, not annulled', async () => {
    const o = await invoiced({ kind: 'installments', months: 12 });
    // What the pull writes when the server's plan started and then fell due.
    store.sqlite.prepare(`UPDATE orders SET status = 'overdue', status_reason = 'past_due_date', activated_at = '2025-02-01T09:00:00.000Z' WHERE id = ?`).run(o.id);
    expect(await getOrder(store, actor, o.id)).toMatchObject({ status: 'overdue', paidTotal: 0, activatedAt: '2025-02-01T09:00:00.000Z' });
    const cancel = await cancelOrder(store, actor, { orderId: o.id, reason: 'patient_request' });
    expect(cancel.ok).toBe(false);
    if (!cancel.ok) expect(cancel.error).toMatchObject({ code: 'conflict', reason: 'illegal_transition', message: expect.stringMatching(/credit it instead/) });
    const credit = await creditOrder(store, actor, { orderId: o.id, creditId: randomUUID(), amount: o.total, reason: 'patient_request' });
    expect(credit.ok && credit.value.order).toMatchObject({ status: 'credited', activatedAt: '2025-02-01T09:00:00.000Z' });
  });

  it('an overdue invoice never paid nor on a plan is annulled, and stays unactivated', async () => {
    const o = await invoiced();
    store.sqlite.prepare(`UPDATE orders SET status = 'overdue', status_reason = 'past_due_date' WHERE id = ?`).run(o.id);
    const credit = await creditOrder(store, actor, { orderId: o.id, creditId: randomUUID(), amount: o.total, reason: 'goodwill' });
    expect(credit.ok).toBe(false);
    const cancel = await cancelOrder(store, actor, { orderId: o.id, reason: 'wrong_invoice' });
    expect(cancel.ok && cancel.value.order.status).toBe('cancelled');
    expect(cancel.ok && cancel.value.order.activatedAt).toBeUndefined();
  });
});
