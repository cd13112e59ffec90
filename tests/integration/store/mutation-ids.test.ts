import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalStore } from '../../../src-main/db/open';
import { createInvoiceSeries } from '../../../src-main/services/invoice-series';
import { issueInvoice } from '../../../src-main/services/invoices';
import { cancelOrder, createOrder, getMoneyEvents } from '../../../src-main/services/orders';
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

async function invoiced() {
  const s = await createInvoiceSeries(store, actor, { prefix: 'K1', ocrCode: 17 });
  if (!s.ok) throw new Error(s.error.message);
  const p = await createPatient(store, actor, patientCommand(1));
  if (!p.ok) throw new Error(p.error.message);
  const o = await createOrder(store, actor, orderCommand(p.value.patient.id));
  if (!o.ok) throw new Error(o.error.message);
  const r = await issueInvoice(store, actor, { orderId: o.value.order.id, paymentOption: { kind: 'invoice14' } });
  if (!r.ok) throw new Error(r.error.message);
  return o.value.order;
}

describe('money events and mutations carry what the server needs', () => {
  it('the cancellation event has the mutation id as its id (the server records it under that id)', async () => {
    const o = await invoiced();
    const r = await cancelOrder(store, actor, { orderId: o.id, reason: 'wrong_invoice' });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.event.id).toBe(r.value.mutationId);
    expect((await getMoneyEvents(store, actor, o.id)).map((e) => e.id)).toEqual([r.value.mutationId]);
  });

  it('the outbox row names its actor when it is written, not through the activity trigger', async () => {
    store.sqlite.exec('DROP TRIGGER outbox_actor_from_activity');
    const p = await createPatient(store, actor, patientCommand(2));
    if (!p.ok) throw new Error(p.error.message);
    const row = store.sqlite.prepare('SELECT actor_user_id FROM outbox WHERE mutation_id = ?').get(p.value.mutationId) as { actor_user_id: string | null };
    expect(row.actor_user_id).toBe(actor.userId);
  });
});
