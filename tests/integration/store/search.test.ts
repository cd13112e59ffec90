import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOrders } from '../../../src-main/db/queries/orders';
import { listPatients } from '../../../src-main/db/queries/patients';
import { createInvoiceSeries } from '../../../src-main/services/invoice-series';
import { issueInvoice } from '../../../src-main/services/invoices';
import { createOrder } from '../../../src-main/services/orders';
import { createPatient, updatePatient } from '../../../src-main/services/patients';
import type { Patient } from '../../../src-shared/schemas/entities';
import { makePersonnummer, openTempStore, orderCommand, patientCommand, testActor, type TempStore } from '../../support/store';

const actor = testActor();
let t: TempStore;
const patients: Record<string, Patient> = {};
const orderNumbers: Record<string, string> = {};
let invoiceNumber = '';

const PEOPLE: [key: string, first: string, last: string, phone: string | null][] = [
  ['stromberg', 'Åsa', 'Strömberg', '+46701234567'],
  ['stromqvist', 'Örjan', 'Strömqvist', null],
  ['stromberg_plain', 'Lars', 'Stromberg', '+46735550000'],
  ['angstrom', 'Märta', 'Ångström', '+4540123456'],
  ['berg', 'Eva', 'Berg', '+46761112233'],
  // Same Swedish sort key as Beck (é folds to e for sorting) but a different word for search.
  ['beck_accent', 'Zoé', 'Béck', null],
  ['beck', 'Ola', 'Beck', null],
  ['beck_first', 'Beckett', 'Andersson', null],
];

beforeAll(async () => {
  t = await openTempStore();
  await createInvoiceSeries(t.store, actor, { prefix: 'K9', ocrCode: 9 });
  for (const [i, [key, firstName, lastName, phone]] of PEOPLE.entries()) {
    const r = await createPatient(t.store, actor, patientCommand(100 + i, { firstName, lastName, phone }));
    if (!r.ok) throw new Error(r.error.message);
    patients[key] = r.value.patient;
    const o = await createOrder(t.store, actor, orderCommand(r.value.patient.id, { orderNumber: `ORD-2025-${String(i + 1).padStart(5, '0')}` }));
    if (!o.ok) throw new Error(o.error.message);
    orderNumbers[key] = o.value.order.orderNumber;
    if (key === 'berg') {
      const inv = await issueInvoice(t.store, actor, { orderId: o.value.order.id, paymentOption: { kind: 'invoice14' } });
      if (!inv.ok) throw new Error(inv.error.message);
      invoiceNumber = inv.value.invoice.invoiceNumber;
    }
  }
});
afterAll(async () => {
  await t.cleanup();
});

/** Both plans (walk the sort index skipping non-matches / fetch the matches and sort) must agree. */
async function orderHits(search: string): Promise<string[]> {
  const answers: string[][] = [];
  for (const [sparseLimit, sort] of [[0, 'orderNumber'], [1e9, 'orderNumber'], [0, 'createdAt'], [1e9, 'createdAt']] as const) {
    const r = await listOrders(t.store, actor, { search, sort, direction: 'asc' }, { sparseLimit });
    if (!r.ok) throw new Error(r.error.message);
    answers.push(r.value.rows.map((row) => Object.keys(orderNumbers).find((k) => orderNumbers[k] === row.orderNumber)!));
  }
  expect(answers[1]).toEqual(answers[0]);
  expect(answers[3]).toEqual(answers[2]);
  expect([...answers[2]!].sort()).toEqual([...answers[0]!].sort());
  return answers[0]!;
}
/**
 * Every plan (the name range plus merged outsiders / walk the name index / fetch matches then
 * sort), paged both ways, must give the same patients in the same order.
 */
async function patientHits(search: string): Promise<string[]> {
  const answers: string[][] = [];
  const plans = [{ outsideLimit: 1e9 }, { outsideLimit: 0, sparseLimit: 0 }, { outsideLimit: 0, sparseLimit: 1e9 }];
  for (const [plan, direction] of plans.flatMap((p) => (['asc', 'desc'] as const).map((d) => [p, d] as const))) {
    const r = await listPatients(t.store, actor, { search, limit: 2, direction }, plan);
    if (!r.ok) throw new Error(r.error.message);
    const ids = r.value.rows.map((row) => row.id);
    let cursor = r.value.nextCursor;
    while (cursor) {
      const next = await listPatients(t.store, actor, { search, limit: 2, cursor, direction }, plan);
      if (!next.ok) throw new Error(next.error.message);
      ids.push(...next.value.rows.map((row) => row.id));
      cursor = next.value.nextCursor;
    }
    answers.push(direction === 'asc' ? ids : ids.reverse());
  }
  for (const a of answers.slice(1)) expect(a).toEqual(answers[0]);
  return answers[0]!.map((id) => Object.keys(patients).find((k) => patients[k]!.id === id)!).sort();
}

describe('free-text search (FTS5, å/ä/ö are letters)', () => {
  it('"ström" finds Strömberg and Strömqvist by prefix, but not Stromberg', async () => {
    expect((await orderHits('ström')).sort()).toEqual(['stromberg', 'stromqvist']);
    expect(await patientHits('ström')).toEqual(['stromberg', 'stromqvist']);
    expect(await patientHits('STRÖM')).toEqual(['stromberg', 'stromqvist']);
    expect(await patientHits('strom')).toEqual(['stromberg_plain']);
  });

  it('sorted by name, keeps a name with another accent apart and merges first-name matches in', async () => {
    expect(await patientHits('beck')).toEqual(['beck', 'beck_first']);
    expect(await patientHits('béck')).toEqual(['beck_accent']);
    expect(await patientHits('beckett andersson')).toEqual(['beck_first']);
    const r = await listPatients(t.store, actor, { search: 'beck' });
    if (!r.ok) throw new Error(r.error.message);
    // Andersson Beckett before Beck Ola: the list is in last-name order whichever word matched.
    expect(r.value.rows.map((row) => row.id)).toEqual([patients.beck_first!.id, patients.beck!.id]);
  });

  it('finds names starting with Å/Ä/Ö, first names, and several words together', async () => {
    expect(await patientHits('ångs')).toEqual(['angstrom']);
    expect(await patientHits('Märta')).toEqual(['angstrom']);
    expect(await patientHits('örjan')).toEqual(['stromqvist']);
    expect(await patientHits('åsa ström')).toEqual(['stromberg']);
    // A decomposed ö (o + combining diaeresis), as some keyboards and pastes produce it.
    expect(await patientHits('stro\u0308m')).toEqual(['stromberg', 'stromqvist']);
  });

  it('finds personnummer in every common written form, including the last four digits', async () => {
    const pnr = makePersonnummer(100); // Åsa Strömberg
    const forms = [pnr, `${pnr.slice(0, 8)}-${pnr.slice(8)}`, pnr.slice(2), `${pnr.slice(2, 8)}-${pnr.slice(8)}`, pnr.slice(0, 8)];
    for (const form of forms) expect(await patientHits(form), form).toContain('stromberg');
    expect(await orderHits(pnr.slice(8))).toContain('stromberg');
    expect(await patientHits(pnr.slice(8))).toContain('stromberg');
  });

  it('finds phone numbers written internationally, locally, with separators, or by their last digits', async () => {
    for (const form of ['+46701234567', '0701234567', '070-123 45 67', '+46 70 123', '4567']) {
      expect(await orderHits(form), form).toContain('stromberg');
    }
  });

  it('finds order numbers and invoice numbers', async () => {
    expect(await orderHits(orderNumbers.angstrom!)).toEqual(['angstrom']);
    expect(await orderHits('ORD-2025-00002')).toEqual(['stromqvist']);
    expect(await orderHits(invoiceNumber)).toEqual(['berg']);
  });

  it('follows a rename in the same transaction', async () => {
    const r = await updatePatient(t.store, actor, { id: patients.berg!.id, patch: { lastName: 'Öhman' } });
    expect(r.ok).toBe(true);
    expect(await orderHits('öhman')).toEqual(['berg']);
    expect(await orderHits('berg')).not.toContain('berg');
    expect(await patientHits('öhm')).toEqual(['berg']);
  });

  it('treats FTS5 syntax in the input as text (no errors, no injection)', async () => {
    for (const hostile of ['"', 'ström*', 'NEAR(a b)', 'a OR b', '-', ')(', 'name:ström', "'; DROP TABLE orders;--", '^', 'x'.repeat(200), '   ']) {
      const r = await listOrders(t.store, actor, { search: hostile });
      expect(r.ok, hostile).toBe(true);
    }
    expect((await orderHits('"ström")*')).sort()).toEqual(['stromberg', 'stromqvist']);
    const tooLong = await listOrders(t.store, actor, { search: 'x'.repeat(201) });
    expect(tooLong.ok).toBe(false);
    if (!tooLong.ok) expect(tooLong.error.field).toBe('search');
  });
});
