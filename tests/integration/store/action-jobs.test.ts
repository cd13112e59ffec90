import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CoreDeps } from '../../../src-main/core/deps';
import { afterCancel, afterIssue } from '../../../src-main/core/provider-flow';
import type { LocalStore } from '../../../src-main/db/open';
import { SettingsStore } from '../../../src-main/secrets/settings-store';
import { createInvoiceSeries } from '../../../src-main/services/invoice-series';
import { issueInvoice } from '../../../src-main/services/invoices';
import { cancelOrder, createOrder, getOrder } from '../../../src-main/services/orders';
import { createPatient } from '../../../src-main/services/patients';
import { openTempStore, orderCommand, patientCommand, testActor, type TempStore } from '../../support/store';

/**
 * ARCHITECTURE.md, Integrations: a desk action and the provider jobs it starts commit in ONE
 * transaction. If the jobs cannot be written, nothing of the action may be left behind (no
 * invoice, no outbox mutation, no activity record, no used invoice number); if they can, all of
 * it is there after one call.
 */

const actor = testActor();
let t: TempStore;
let store: LocalStore;
let settingsDir: string;
let deps: CoreDeps;

beforeEach(async () => {
  t = await openTempStore();
  store = t.store;
  settingsDir = mkdtempSync(join(tmpdir(), 'kassa-settings-'));
  // The part of the desk's dependencies the job hooks use: the store, the real settings file, the payment link.
  deps = { store, settings: new SettingsStore({ cwd: settingsDir }), paymentLinkBase: 'https://pay.example.test/o' } as Partial<CoreDeps> as CoreDeps;
  const s = await createInvoiceSeries(store, actor, { prefix: 'K1', ocrCode: 17 });
  if (!s.ok) throw new Error(s.error.message);
});
afterEach(async () => {
  await t.cleanup();
  rmSync(settingsDir, { recursive: true, force: true });
});

function count(sql: string, ...args: unknown[]): number {
  return (store.sqlite.prepare(sql).get(...args) as { n: number }).n;
}

function snapshot() {
  return {
    invoices: count('SELECT count(*) AS n FROM invoices'),
    plans: count('SELECT count(*) AS n FROM installment_plans'),
    money: count('SELECT count(*) AS n FROM money_events'),
    outbox: count('SELECT count(*) AS n FROM outbox'),
    activity: count('SELECT count(*) AS n FROM activity'),
    jobs: count('SELECT count(*) AS n FROM job'),
    lastNumber: count('SELECT ifnull(max(last_number), 0) AS n FROM invoice_series'),
  };
}

function jobKinds(): string[] {
  return (store.sqlite.prepare('SELECT kind FROM job ORDER BY kind').all() as { kind: string }[]).map((r) => r.kind);
}

/** A trigger that makes every job insert fail, as a full disk or a broken job spec would. */
function breakJobQueue(): void {
  store.sqlite.exec(`CREATE TRIGGER test_job_insert_fails BEFORE INSERT ON job BEGIN SELECT RAISE(ABORT, 'job queue unavailable'); END;`);
}
function repairJobQueue(): void {
  store.sqlite.exec('DROP TRIGGER test_job_insert_fails');
}

async function draftOrder(patientOverrides: Record<string, unknown> = {}) {
  const p = await createPatient(store, actor, patientCommand(1, patientOverrides));
  if (!p.ok) throw new Error(p.error.message);
  const o = await createOrder(store, actor, orderCommand(p.value.patient.id));
  if (!o.ok) throw new Error(o.error.message);
  return o.value.order;
}

describe('invoice.issue and its provider jobs commit together', () => {
  it('after one call: the invoice row, the outbox mutation, the activity record and the Paynova and SMS jobs all exist', async () => {
    const order = await draftOrder();
    const r = await issueInvoice(store, actor, { orderId: order.id, paymentOption: { kind: 'invoice14' } }, { also: afterIssue(deps, actor) });
    if (!r.ok) throw new Error(r.error.message);

    expect(count('SELECT count(*) AS n FROM invoices WHERE order_id = ?', order.id)).toBe(1);
    expect(count(`SELECT count(*) AS n FROM outbox WHERE name = 'invoice.issue' AND mutation_id = ?`, r.value.mutationId)).toBe(1);
    expect(count(`SELECT count(*) AS n FROM activity WHERE action = 'invoice.issue' AND subject = ?`, `order:${order.id}`)).toBe(1);
    expect(jobKinds()).toEqual(['paynova.create_authorize', 'paynova.finalize', 'sms.send']);
    const jobs = store.sqlite.prepare('SELECT kind, idempotency_key, subject, payload FROM job').all() as { kind: string; idempotency_key: string; subject: string; payload: string }[];
    for (const j of jobs) expect(j.subject).toBe(`order:${order.id}`);
    expect(jobs.find((j) => j.kind === 'paynova.create_authorize')?.idempotency_key).toBe(order.orderNumber);
    const sms = JSON.parse(jobs.find((j) => j.kind === 'sms.send')!.payload) as { body: string };
    expect(sms.body).toContain(r.value.invoice.ocr);
  });

  it('when the jobs cannot be enqueued, nothing of the issue commits: no invoice, no mutation, no activity record, the number stays unused', async () => {
    const order = await draftOrder();
    const before = snapshot();
    breakJobQueue();

    await expect(issueInvoice(store, actor, { orderId: order.id, paymentOption: { kind: 'installments', months: 6 } }, { also: afterIssue(deps, actor) })).rejects.toThrow(/job queue unavailable/);

    expect(snapshot()).toEqual(before);
    expect((await getOrder(store, actor, order.id))?.status).toBe('draft');
    expect(count(`SELECT count(*) AS n FROM outbox WHERE name = 'invoice.issue'`)).toBe(0);
    expect(count(`SELECT count(*) AS n FROM activity WHERE action = 'invoice.issue'`)).toBe(0);

    // Once jobs can be written again, the same order is issued with the number the failed try did not use.
    repairJobQueue();
    const r = await issueInvoice(store, actor, { orderId: order.id, paymentOption: { kind: 'invoice14' } }, { also: afterIssue(deps, actor) });
    if (!r.ok) throw new Error(r.error.message);
    expect(snapshot().lastNumber).toBe(before.lastNumber + 1);
    expect(jobKinds()).toEqual(['paynova.create_authorize', 'paynova.finalize', 'sms.send']);
  });

  it('an SMS the patient does not get (opted out) is not a failure: the invoice and its Paynova jobs commit without it', async () => {
    const order = await draftOrder({ smsConsent: false });
    const r = await issueInvoice(store, actor, { orderId: order.id, paymentOption: { kind: 'invoice14' } }, { also: afterIssue(deps, actor) });
    if (!r.ok) throw new Error(r.error.message);
    expect(count('SELECT count(*) AS n FROM invoices WHERE order_id = ?', order.id)).toBe(1);
    expect(jobKinds()).toEqual(['paynova.create_authorize', 'paynova.finalize']);
  });

  it('a refused issue (not a draft) enqueues no job', async () => {
    const order = await draftOrder();
    const first = await issueInvoice(store, actor, { orderId: order.id, paymentOption: { kind: 'invoice14' } }, { also: afterIssue(deps, actor) });
    if (!first.ok) throw new Error(first.error.message);
    const before = snapshot();
    const again = await issueInvoice(store, actor, { orderId: order.id, paymentOption: { kind: 'invoice14' } }, { also: afterIssue(deps, actor) });
    expect(again.ok).toBe(false);
    expect(snapshot()).toEqual(before);
  });
});

describe('order.cancel and its jobs commit together', () => {
  it('when the cancellation SMS cannot be enqueued, the order stays invoiced with no cancellation event, mutation or record', async () => {
    const order = await draftOrder();
    const issued = await issueInvoice(store, actor, { orderId: order.id, paymentOption: { kind: 'invoice14' } }, { also: afterIssue(deps, actor) });
    if (!issued.ok) throw new Error(issued.error.message);
    const invoiced = await getOrder(store, actor, order.id);
    const before = snapshot();
    breakJobQueue();

    await expect(cancelOrder(store, actor, { orderId: order.id, reason: 'paid_elsewhere', note: null }, { also: afterCancel(deps, actor, invoiced!) })).rejects.toThrow(/job queue unavailable/);
    expect(snapshot()).toEqual(before);
    expect((await getOrder(store, actor, order.id))?.status).toBe('invoiced');

    repairJobQueue();
    const r = await cancelOrder(store, actor, { orderId: order.id, reason: 'paid_elsewhere', note: null }, { also: afterCancel(deps, actor, invoiced!) });
    if (!r.ok) throw new Error(r.error.message);
    expect(count(`SELECT count(*) AS n FROM job WHERE kind = 'sms.send' AND idempotency_key = ?`, `${order.orderNumber}:cancelled`)).toBe(1);
    expect(count(`SELECT count(*) AS n FROM outbox WHERE name = 'order.cancel'`)).toBe(1);
  });
});
