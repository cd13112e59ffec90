import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInvoiceSeries } from '../../../src-main/services/invoice-series';
import { issueInvoice } from '../../../src-main/services/invoices';
import { cancelOrder, createOrder } from '../../../src-main/services/orders';
import { createPatient } from '../../../src-main/services/patients';
import { parseInvoiceOcr } from '../../../src-shared/domain/invoice-series';
import { validateOcr } from '../../../src-shared/domain/ocr';
import { openTempStore, orderCommand, patientCommand, testActor, type TempStore } from '../../support/store';

const actor = testActor();
let t: TempStore;

beforeEach(async () => {
  t = await openTempStore();
});
afterEach(async () => {
  await t.cleanup();
});

async function draftOrder(patientId: string): Promise<string> {
  const r = await createOrder(t.store, actor, orderCommand(patientId));
  if (!r.ok) throw new Error(r.error.message);
  return r.value.order.id;
}

describe('invoice numbers: gap-free per device series, across restarts', () => {
  it('numbers stay sequential with refused issues in between and after closing and reopening the file', async () => {
    expect((await createInvoiceSeries(t.store, actor, { prefix: 'D7', ocrCode: 4711 })).ok).toBe(true);
    const p = await createPatient(t.store, actor, patientCommand(1));
    if (!p.ok) throw new Error(p.error.message);
    const numbers: string[] = [];
    const ocrs: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) {
        const id = await draftOrder(p.value.patient.id);
        const r = await issueInvoice(t.store, actor, { orderId: id, paymentOption: { kind: 'invoice14' } });
        if (!r.ok) throw new Error(r.error.message);
        numbers.push(r.value.invoice.invoiceNumber);
        ocrs.push(r.value.invoice.ocr);
        // A refused issue (already invoiced) after the number was allocated must not burn a number.
        const again = await issueInvoice(t.store, actor, { orderId: id, paymentOption: { kind: 'invoice14' } });
        expect(again.ok).toBe(false);
      }
      await t.reopen(); // a restart: close the file, open it again
    }
    expect(numbers).toEqual(Array.from({ length: 12 }, (_, i) => `D7-${String(i + 1).padStart(6, '0')}`));
    ocrs.forEach((ocr, i) => {
      expect(validateOcr(ocr, { lengthDigit: 'required' }).ok).toBe(true);
      expect(parseInvoiceOcr(ocr)).toEqual({ ok: true, value: { prefixNumericCode: 4711, number: i + 1 } });
    });
    const rows = t.store.sqlite.prepare('SELECT sequence FROM invoices ORDER BY sequence').all() as { sequence: number }[];
    expect(rows.map((r) => r.sequence)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('each device issues from its own series; a device gets only one, and a series never rewinds', async () => {
    const desk2 = testActor({ deviceId: 'desk-2' });
    expect((await createInvoiceSeries(t.store, actor, { prefix: 'A', ocrCode: 1 })).ok).toBe(true);
    expect((await createInvoiceSeries(t.store, desk2, { prefix: 'B', ocrCode: 2 })).ok).toBe(true);
    const second = await createInvoiceSeries(t.store, actor, { prefix: 'C', ocrCode: 3 });
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.error).toMatchObject({ code: 'duplicate', field: 'prefix' });
    const clash = await createInvoiceSeries(t.store, testActor({ deviceId: 'desk-3' }), { prefix: 'D', ocrCode: 2 });
    expect(clash.ok).toBe(false);
    if (!clash.ok) expect(clash.error).toMatchObject({ code: 'duplicate', field: 'ocrCode' });

    const p = await createPatient(t.store, actor, patientCommand(2));
    if (!p.ok) throw new Error(p.error.message);
    const a = await issueInvoice(t.store, actor, { orderId: await draftOrder(p.value.patient.id), paymentOption: { kind: 'invoice14' } });
    const b = await issueInvoice(t.store, desk2, { orderId: await draftOrder(p.value.patient.id), paymentOption: { kind: 'invoice14' } });
    expect(a.ok && a.value.invoice.invoiceNumber).toBe('A-000001');
    expect(b.ok && b.value.invoice.invoiceNumber).toBe('B-000001');
    expect(() => t.store.sqlite.exec(`UPDATE invoice_series SET last_number = 0 WHERE prefix = 'A'`)).toThrow(/never goes backwards/);
  });
});

describe('append-only money and immutable invoices, enforced by SQLite', () => {
  it('money events cannot be updated or deleted; issued invoices cannot be edited or deleted', async () => {
    await createInvoiceSeries(t.store, actor, { prefix: 'K1', ocrCode: 17 });
    const p = await createPatient(t.store, actor, patientCommand(3));
    if (!p.ok) throw new Error(p.error.message);
    const id = await draftOrder(p.value.patient.id);
    await issueInvoice(t.store, actor, { orderId: id, paymentOption: { kind: 'invoice14' } });
    expect((await cancelOrder(t.store, actor, { orderId: id, reason: 'wrong_invoice' })).ok).toBe(true);

    const db = t.store.sqlite;
    expect(() => db.exec('UPDATE money_events SET amount = 1')).toThrow(/append-only/);
    expect(() => db.exec(`UPDATE money_events SET note = 'edited'`)).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM money_events')).toThrow(/append-only/);
    expect(() => db.exec('UPDATE invoices SET total = 1')).toThrow(/immutable/);
    expect(() => db.exec(`UPDATE invoices SET invoice_number = 'K1-000009'`)).toThrow(/immutable/);
    expect(() => db.exec('DELETE FROM invoices')).toThrow(/never deleted/);
    // The provider references are filled in later by the jobs, so they stay writable.
    db.exec(`UPDATE invoices SET provider_order_id = 'pn-1'`);
    // A new event is still welcome.
    db.prepare(`INSERT INTO money_events (id, order_id, clinic_id, kind, amount, reason, source, at) VALUES (?, ?, ?, 'payment', 100, 'none', 'provider', ?)`)
      .run(randomUUID(), id, actor.clinicId, new Date().toISOString());
    expect((db.prepare('SELECT count(*) AS n FROM money_events').get() as { n: number }).n).toBe(2);
  });

  it('the outbox seq is never reused, even after rows are removed', async () => {
    await createPatient(t.store, actor, patientCommand(4));
    await createPatient(t.store, actor, patientCommand(5));
    t.store.sqlite.exec('DELETE FROM outbox');
    await t.reopen();
    const r = await createPatient(t.store, actor, patientCommand(6));
    expect(r.ok && r.value.mutationSeq).toBe(3);
  });
});
