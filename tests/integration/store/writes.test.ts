import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../../src-main/db/activity-chain';
import { pendingMutations } from '../../../src-main/db/outbox';
import { createInvoiceSeries } from '../../../src-main/services/invoice-series';
import { getInvoiceForOrder, issueInvoice } from '../../../src-main/services/invoices';
import { cancelOrder, createOrder, creditOrder, getMoneyEvents, getOrder, updateDraftOrder } from '../../../src-main/services/orders';
import { createPatient, getPatient, updatePatient } from '../../../src-main/services/patients';
import { ActivityRecord } from '../../../src-shared/schemas/activity';
import { commandSchemas } from '../../../src-shared/schemas/commands';
import type { LocalStore } from '../../../src-main/db/open';
import { makePersonnummer, openTempStore, orderCommand, patientCommand, testActor, type TempStore } from '../../support/store';

const actor = testActor();
const badChecksum = (pnr: string) => pnr.slice(0, 11) + String((Number(pnr[11]) + 1) % 10);
let t: TempStore;
let store: LocalStore;

beforeEach(async () => {
  t = await openTempStore();
  store = t.store;
});
afterEach(async () => {
  await t.cleanup();
});

async function counts() {
  const one = (table: string) => store.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number };
  return {
    patients: one('patients').n,
    orders: one('orders').n,
    lines: one('order_lines').n,
    invoices: one('invoices').n,
    money: one('money_events').n,
    outbox: one('outbox').n,
    activity: one('activity').n,
    lastNumber: (store.sqlite.prepare('SELECT ifnull(max(last_number), 0) AS n FROM invoice_series').get() as { n: number }).n,
  };
}

async function newPatient(i = 1, overrides: Record<string, unknown> = {}) {
  const r = await createPatient(store, actor, patientCommand(i, overrides));
  if (!r.ok) throw new Error(r.error.message);
  return r.value.patient;
}

async function newOrder(patientId: string, overrides: Record<string, unknown> = {}) {
  const r = await createOrder(store, actor, orderCommand(patientId, overrides));
  if (!r.ok) throw new Error(r.error.message);
  return r.value.order;
}

async function withSeries() {
  const s = await createInvoiceSeries(store, actor, { prefix: 'K1', ocrCode: 17 });
  if (!s.ok) throw new Error(s.error.message);
}

describe('one transaction per write: rows + one outbox mutation + one activity record', () => {
  it('commits each command with exactly one mutation (name, validated payload, increasing seq) and one activity record', async () => {
    await withSeries();
    const p = await newPatient();
    const o = await newOrder(p.id);
    const upd = await updateDraftOrder(store, actor, { id: o.id, patch: { note: 'Ring innan' } });
    expect(upd.ok).toBe(true);
    const issued = await issueInvoice(store, actor, { orderId: o.id, paymentOption: { kind: 'invoice14' }, issueDate: '2025-03-01' });
    expect(issued.ok).toBe(true);
    const pu = await updatePatient(store, actor, { id: p.id, patch: { phone: '+46709999999' } });
    expect(pu.ok).toBe(true);

    const outbox = await store.db.selectFrom('outbox').selectAll().orderBy('seq').execute();
    expect(outbox.map((m) => m.name)).toEqual(['patient.create', 'order.create', 'order.update_draft', 'invoice.issue', 'patient.update']);
    expect(outbox.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    for (const m of outbox) {
      // The payload is exactly a valid command of its name: the server can re-run it as is.
      const schema = commandSchemas[m.name as keyof typeof commandSchemas];
      expect(schema.safeParse(JSON.parse(m.payload)).success).toBe(true);
      expect(m.status).toBe('pending');
    }
    const invoicePayload = JSON.parse(outbox[3]!.payload);
    expect(invoicePayload).toMatchObject({ orderId: o.id, invoiceNumber: 'K1-000001', issueDate: '2025-03-01', dueDate: '2025-03-15', paymentOption: { kind: 'invoice14' } });
    // personnummer travels canonical, as the schema outputs it.
    expect(JSON.parse(outbox[0]!.payload).personnummer).toMatch(/^\d{12}$/);

    const activity = await store.db.selectFrom('activity').selectAll().where('chain_id', '=', actor.deviceId).orderBy('seq').execute();
    // The series setup is recorded too; then one record per command, each naming its mutation.
    expect(activity.map((a) => a.action)).toEqual(['invoice_series.create', 'patient.create', 'order.create', 'order.update_draft', 'invoice.issue', 'patient.update']);
    expect(activity.slice(1).map((a) => JSON.parse(a.details).mutationSeq)).toEqual([1, 2, 3, 4, 5]);
    const records = activity.map((r) =>
      ActivityRecord.parse({
        id: r.id, chainId: r.chain_id, seq: r.seq, at: r.at, clinicId: r.clinic_id, actorUserId: r.actor_user_id, action: r.action, subject: r.subject,
        outcome: r.outcome, country: r.country, ip: r.ip, details: JSON.parse(r.details), prevHash: r.prev_hash, hash: r.hash,
      }),
    );
    expect(verifyChain(records)).toBeNull();
    expect((await pendingMutations(store.db)).length).toBe(5);
  });

  it('a write that fails inside its transaction leaves nothing: no row, no outbox, no activity, no number', async () => {
    await withSeries();
    const p = await newPatient();
    const o = await newOrder(p.id);
    const before = await counts();

    // Refused by the database half-way (after the order row was inserted): a line id that already exists.
    const existingLine = o.lines[0]!.id;
    const dupLine = orderCommand(p.id);
    (dupLine.lines as { id: string }[])[1]!.id = existingLine;
    const r1 = await createOrder(store, actor, dupLine);
    expect(r1.ok).toBe(false);
    if (!r1.ok) expect(r1.error.code).toBe('duplicate');

    // Refused by the state machine after the series number was taken: issuing twice.
    const first = await issueInvoice(store, actor, { orderId: o.id, paymentOption: { kind: 'invoice14' } });
    expect(first.ok).toBe(true);
    const mid = await counts();
    const again = await issueInvoice(store, actor, { orderId: o.id, paymentOption: { kind: 'invoice14' } });
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error).toMatchObject({ code: 'conflict', field: 'orderId', reason: 'illegal_transition' });
    expect(await counts()).toEqual(mid);
    expect(mid).toEqual({ ...before, invoices: 1, outbox: before.outbox + 1, activity: before.activity + 1, lastNumber: 1 });

    // An unexpected crash inside the transaction (the activity table refuses): rolled back too.
    store.sqlite.exec(`CREATE TRIGGER test_break BEFORE INSERT ON activity BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`);
    const p2 = patientCommand(2);
    await expect(createPatient(store, actor, p2)).rejects.toThrow(/disk on fire/);
    const o2 = orderCommand(p.id);
    await expect(createOrder(store, actor, o2)).rejects.toThrow(/disk on fire/);
    store.sqlite.exec('DROP TRIGGER test_break');
    expect(await counts()).toEqual(mid);
    expect(await getPatient(store, actor, p2.id)).toBeNull();
    expect(await getOrder(store, actor, o2.id as string)).toBeNull();
  });

  it('patient.update copies the new name onto the orders (lists and search follow)', async () => {
    const p = await newPatient(1, { firstName: 'Åsa', lastName: 'Lind' });
    const o = await newOrder(p.id);
    await updatePatient(store, actor, { id: p.id, patch: { lastName: 'Öberg' } });
    const row = await store.db.selectFrom('orders').select(['patient_name', 'patient_sort']).where('id', '=', o.id).executeTakeFirstOrThrow();
    expect(row.patient_name).toBe('Åsa Öberg');
    expect(row.patient_sort).toBe('}berg {sa');
  });
});

describe('derived values come from src-shared/domain', () => {
  it('order.create prices lines (quantity × price − discount) and VAT per rate', async () => {
    const p = await newPatient();
    const o = await newOrder(p.id);
    expect(o.lines.map((l) => [l.lineTotal, l.vatAmount])).toEqual([[85_000, 0], [225_000, 45_000]]);
    expect(o.total).toBe(310_000);
    expect(o.vatTotal).toBe(45_000);
    expect(o.status).toBe('draft');
    expect(await getOrder(store, actor, o.id)).toEqual(o);
  });

  it('invoice.issue allocates the number, OCR and due date, and builds the installment plan', async () => {
    await withSeries();
    const p = await newPatient();
    const o = await newOrder(p.id);
    const r = await issueInvoice(store, actor, { orderId: o.id, paymentOption: { kind: 'installments', months: 12 }, issueDate: '2025-01-31' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.invoice).toMatchObject({ invoiceNumber: 'K1-000001', issueDate: '2025-01-31', dueDate: '2025-02-28', total: 310_000 });
    expect(r.value.invoice.ocr).toMatch(/^17\d+$/);
    expect(r.value.plan).toMatchObject({ months: 12, firstDueDate: '2025-02-28', setupFee: 29_500, monthlyFee: 3_900 });
    expect(r.value.plan!.totalPayable).toBe(310_000 + 29_500 + 12 * 3_900);
    const stored = await getInvoiceForOrder(store, actor, o.id);
    expect(stored).toEqual({ invoice: r.value.invoice, plan: r.value.plan });
    const order = await getOrder(store, actor, o.id);
    expect(order).toMatchObject({ status: 'invoiced', paymentOption: { kind: 'installments', months: 12 } });
  });

  it('invoice.issue refuses without a series, with an odd plan term, or for 0 kr — naming the field', async () => {
    const p = await newPatient();
    const o = await newOrder(p.id);
    const none = await issueInvoice(store, actor, { orderId: o.id, paymentOption: { kind: 'invoice14' } });
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.error).toMatchObject({ code: 'no_invoice_series', field: 'seriesId' });
    await withSeries();
    const odd = await issueInvoice(store, actor, { orderId: o.id, paymentOption: { kind: 'installments', months: 7 } });
    if (!odd.ok) expect(odd.error.field).toBe('paymentOption.months');
    else expect.fail('7 months accepted');
    const free = await newOrder(p.id, { lines: [{ id: randomUUID(), description: 'Gratis kontroll', quantity: 1, unitPrice: 0, vatCode: 'exempt' }] });
    const zero = await issueInvoice(store, actor, { orderId: free.id, paymentOption: { kind: 'invoice14' } });
    if (!zero.ok) expect(zero.error.field).toBe('orderId');
    else expect.fail('0 kr invoiced');
    expect((await counts()).invoices).toBe(0);
  });
});

describe('cancel and credit follow the state machine and append money events', () => {
  async function invoiced() {
    await withSeries();
    const p = await newPatient();
    const o = await newOrder(p.id);
    const r = await issueInvoice(store, actor, { orderId: o.id, paymentOption: { kind: 'invoice14' } });
    if (!r.ok) throw new Error(r.error.message);
    return o;
  }

  it('cancels an invoiced order with a cancellation event for the outstanding amount', async () => {
    const o = await invoiced();
    const r = await cancelOrder(store, actor, { orderId: o.id, reason: 'paid_elsewhere', note: 'Swish' });
    expect(r.ok).toBe(true);
    const events = await getMoneyEvents(store, actor, o.id);
    expect(events).toMatchObject([{ kind: 'cancellation', amount: 310_000, reason: 'paid_elsewhere', note: 'Swish', source: 'desk' }]);
    expect(await getOrder(store, actor, o.id)).toMatchObject({ status: 'cancelled', statusReason: 'paid_elsewhere' });
    const again = await cancelOrder(store, actor, { orderId: o.id, reason: 'duplicate' });
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error).toMatchObject({ code: 'conflict', field: 'orderId' });
  });

  it('refuses to credit an unpaid invoice (cancel instead) and leaves nothing behind', async () => {
    const o = await invoiced();
    const before = await counts();
    const r = await creditOrder(store, actor, { orderId: o.id, creditId: randomUUID(), amount: 1000, reason: 'goodwill' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'conflict', reason: 'illegal_transition' });
    expect(await counts()).toEqual(before);
  });

  it('credits a paid order partially (status kept) then fully (credited); over-crediting is refused', async () => {
    const o = await invoiced();
    // A payment arrives through sync (the provider side is not ours): status and paid_total change.
    store.sqlite.prepare(`UPDATE orders SET status = 'paid', paid_total = total, paid_date = '2025-03-10' WHERE id = ?`).run(o.id);
    const part = await creditOrder(store, actor, { orderId: o.id, creditId: randomUUID(), amount: 10_000, reason: 'goodwill' });
    expect(part.ok && part.value.order.status).toBe('paid');
    expect(part.ok && part.value.order.creditedTotal).toBe(10_000);
    const over = await creditOrder(store, actor, { orderId: o.id, creditId: randomUUID(), amount: 300_001, reason: 'goodwill' });
    expect(over.ok).toBe(false);
    if (!over.ok) expect(over.error).toMatchObject({ code: 'validation', field: 'amount', reason: 'credit_exceeds_balance' });
    const rest = await creditOrder(store, actor, { orderId: o.id, creditId: randomUUID(), amount: 300_000, reason: 'wrong_invoice' });
    expect(rest.ok && rest.value.order).toMatchObject({ status: 'credited', creditedTotal: 310_000, statusReason: 'wrong_invoice' });
    const events = await getMoneyEvents(store, actor, o.id);
    expect(events.map((e) => [e.kind, e.amount])).toEqual([['credit', 10_000], ['credit', 300_000]]);
  });

  it('a replayed credit id cannot credit twice', async () => {
    const o = await invoiced();
    store.sqlite.prepare(`UPDATE orders SET status = 'paid', paid_total = total WHERE id = ?`).run(o.id);
    const creditId = randomUUID();
    expect((await creditOrder(store, actor, { orderId: o.id, creditId, amount: 5_000, reason: 'goodwill' })).ok).toBe(true);
    const replay = await creditOrder(store, actor, { orderId: o.id, creditId, amount: 5_000, reason: 'goodwill' });
    expect(replay.ok).toBe(false);
    if (!replay.ok) expect(replay.error.code).toBe('duplicate');
    expect((await getOrder(store, actor, o.id))!.creditedTotal).toBe(5_000);
  });

  it('only a draft can be edited', async () => {
    const o = await invoiced();
    const r = await updateDraftOrder(store, actor, { id: o.id, patch: { note: 'x' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'conflict', field: 'id', reason: 'not_draft' });
  });
});

describe('bad input: a typed error naming the field, never a half-written row', () => {
  const cases: [string, () => Promise<{ ok: boolean; error?: { code: string; field?: string } }>, string][] = [
    ['empty first name', () => createPatient(store, actor, patientCommand(5, { firstName: '   ' })), 'firstName'],
    ['bad personnummer checksum', () => createPatient(store, actor, patientCommand(5, { personnummer: badChecksum(makePersonnummer(5)) })), 'personnummer'],
    ['oversized last name', () => createPatient(store, actor, patientCommand(5, { lastName: 'x'.repeat(10_000) })), 'lastName'],
    ['phone not E.164', () => createPatient(store, actor, patientCommand(5, { phone: "070'; DROP TABLE patients;--" })), 'phone'],
    ['not an object', () => createPatient(store, actor, 'hello'), '(root)'],
    ['prototype pollution key', () => createPatient(store, actor, JSON.parse('{"__proto__":{"x":1}}')), 'firstName'],
    ['negative quantity', () => createOrder(store, actor, orderCommand(randomUUID(), { lines: [{ id: randomUUID(), description: 'x', quantity: -1, unitPrice: 100, vatCode: 'exempt' }] })), 'lines.0.quantity'],
    ['float price', () => createOrder(store, actor, orderCommand(randomUUID(), { lines: [{ id: randomUUID(), description: 'x', quantity: 1, unitPrice: 10.5, vatCode: 'exempt' }] })), 'lines.0.unitPrice'],
    ['unknown VAT code', () => createOrder(store, actor, orderCommand(randomUUID(), { lines: [{ id: randomUUID(), description: 'x', quantity: 1, unitPrice: 1, vatCode: 'se99' }] })), 'lines.0.vatCode'],
    ['too many lines', () => createOrder(store, actor, orderCommand(randomUUID(), { lines: Array.from({ length: 101 }, () => ({ id: randomUUID(), description: 'x', quantity: 1, unitPrice: 1, vatCode: 'exempt' })) })), 'lines'],
    ['order number with spaces', () => createOrder(store, actor, orderCommand(randomUUID(), { orderNumber: 'ORD 1' })), 'orderNumber'],
    ['unknown patient', () => createOrder(store, actor, orderCommand(randomUUID())), 'patientId'],
    ['unknown field in a draft patch', () => updateDraftOrder(store, actor, { id: randomUUID(), patch: { status: 'paid' } }), 'patch'],
    ['credit of 0', () => creditOrder(store, actor, { orderId: randomUUID(), creditId: randomUUID(), amount: 0, reason: 'goodwill' }), 'amount'],
    ['cancel reason not allowed', () => cancelOrder(store, actor, { orderId: randomUUID(), reason: 'goodwill' }), 'reason'],
    ['issue date not a real date', () => issueInvoice(store, actor, { orderId: randomUUID(), paymentOption: { kind: 'invoice14' }, issueDate: '2025-02-30' }), 'issueDate'],
  ];
  it.each(cases)('%s', async (_name, run, field) => {
    const before = await counts();
    const r = await run();
    expect(r.ok).toBe(false);
    expect(r.error?.field).toBe(field);
    expect(['validation', 'not_found']).toContain(r.error?.code);
    expect(await counts()).toEqual(before);
  });

  it('a duplicate personnummer in the clinic is refused on the personnummer field', async () => {
    await newPatient(7);
    const r = await createPatient(store, actor, patientCommand(7));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'duplicate', field: 'personnummer' });
  });

  it('another clinic cannot see or touch this clinic\u2019s patient', async () => {
    const p = await newPatient(8);
    const other = testActor({ clinicId: '0a0b0c0d-1111-4222-8333-944455566677' });
    expect(await getPatient(store, other, p.id)).toBeNull();
    const r = await createOrder(store, other, orderCommand(p.id));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'not_found', field: 'patientId' });
  });
});
