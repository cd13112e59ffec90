import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOrders, orderSummary } from '../../../src-main/db/queries/orders';
import { startOfDayIn } from '../../../src-main/db/queries/zone';
import { insertOrderRow, insertPatientRow, openTempStore, testActor, type TempStore } from '../../support/store';

/**
 * The desk is in Sweden: `created: { from, to }` are Stockholm calendar days, while created_at is
 * a UTC instant. The edges that differ from UTC days: every midnight (22:00Z or 23:00Z the day
 * before), and the two DST days, 23 and 25 hours long.
 */
const actor = testActor();
let t: TempStore;

// Each instant with the Stockholm day it belongs to.
const INSTANTS: [string, string][] = [
  ['2026-03-28T22:59:59.999Z', '2026-03-28'], // 23:59:59.999 CET
  ['2026-03-28T23:00:00.000Z', '2026-03-29'], // 00:00 CET, the day clocks spring forward (23 h)
  ['2026-03-29T01:30:00.000Z', '2026-03-29'], // 03:30 CEST, just after the jump
  ['2026-03-29T21:59:59.999Z', '2026-03-29'], // 23:59:59.999 CEST
  ['2026-03-29T22:00:00.000Z', '2026-03-30'], // 00:00 CEST
  ['2026-10-24T21:59:59.999Z', '2026-10-24'],
  ['2026-10-24T22:00:00.000Z', '2026-10-25'], // 00:00 CEST, the day clocks fall back (25 h)
  ['2026-10-25T00:30:00.000Z', '2026-10-25'], // 02:30 CEST, the first of the two 02:30s
  ['2026-10-25T01:30:00.000Z', '2026-10-25'], // 02:30 CET, the second
  ['2026-10-25T22:59:59.999Z', '2026-10-25'], // 23:59:59.999 CET
  ['2026-10-25T23:00:00.000Z', '2026-10-26'],
  ['2026-11-21T22:59:59.999Z', '2026-11-21'],
  ['2026-11-21T23:00:00.000Z', '2026-11-22'], // 2026-11-22 00:00 in Stockholm
  ['2026-11-22T12:00:00.000Z', '2026-11-22'],
];

beforeAll(async () => {
  t = await openTempStore();
  const p = await insertPatientRow(t.store, 1);
  for (const [i, [at]] of INSTANTS.entries()) await insertOrderRow(t.store, p, { createdAt: at, orderNumber: `ORD-DST-${i}` });
});
afterAll(async () => {
  await t.cleanup();
});

async function created(from: string | null, to: string | null): Promise<string[]> {
  const r = await listOrders(t.store, actor, { created: { from, to }, sort: 'createdAt', direction: 'asc', limit: 100 });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.rows.map((row) => row.createdAt);
}
const onDays = (from: string, to: string) => INSTANTS.filter(([, day]) => day >= from && day <= to).map(([at]) => at);

describe('created-date filters use Stockholm calendar days', () => {
  it('a day starts at Stockholm midnight, in winter and in summer time', () => {
    expect(startOfDayIn('2026-11-22')).toBe('2026-11-21T23:00:00.000Z');
    expect(startOfDayIn('2026-07-01')).toBe('2026-06-30T22:00:00.000Z');
    expect(startOfDayIn('2026-03-29')).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfDayIn('2026-03-30')).toBe('2026-03-29T22:00:00.000Z');
    expect(startOfDayIn('2026-10-25')).toBe('2026-10-24T22:00:00.000Z');
    expect(startOfDayIn('2026-10-26')).toBe('2026-10-25T23:00:00.000Z');
  });

  it.each([
    ['2026-11-22', null],
    ['2026-03-29', '2026-03-29'], // 23 hours
    ['2026-10-25', '2026-10-25'], // 25 hours
    ['2026-03-28', '2026-03-29'],
    ['2026-10-25', '2026-10-26'],
    [null, '2026-10-24'],
  ])('from %s to %s selects exactly the orders created on those Stockholm days', async (from, to) => {
    const expected = onDays(from ?? '0000-00-00', to ?? '9999-99-99');
    expect(expected.length).toBeGreaterThan(0);
    expect(await created(from, to)).toEqual(expected);
    const summary = await orderSummary(t.store, actor, { created: { from, to } });
    if (!summary.ok) throw new Error(summary.error.message);
    expect(summary.value.count).toBe(expected.length);
  });
});
