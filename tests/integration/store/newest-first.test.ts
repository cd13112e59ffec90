import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOrders } from '../../../src-main/db/queries/orders';
import { insertOrderRow, insertPatientRow, OTHER_CLINIC_ID, openTempStore, testActor, type TempStore } from '../../support/store';

/**
 * The first page of a text search, newest first, reads matches in rowid order and checks that
 * no older-rowid order belongs on the page. Here rows are inserted in orders that break the
 * rowid ≈ created_at assumption in every way; the page must always equal the general plan's.
 */
const actor = testActor();
let t: TempStore;

beforeAll(async () => {
  t = await openTempStore();
});
afterAll(async () => {
  await t.cleanup();
});

async function firstPages(search: string, limit: number): Promise<[string[], string[]]> {
  const fast = await listOrders(t.store, actor, { search, limit });
  const general = await listOrders(t.store, actor, { search, limit }, { sparseLimit: 0 });
  if (!fast.ok || !general.ok) throw new Error('list failed');
  expect(fast.value.nextCursor === null).toBe(general.value.nextCursor === null);
  return [fast.value.rows.map((r) => r.orderNumber), general.value.rows.map((r) => r.orderNumber)];
}

describe('text search, first page newest first', () => {
  it('equals the general plan when orders arrive out of created order', async () => {
    const berg = await insertPatientRow(t.store, 1, { firstName: 'Eva', lastName: 'Berg' });
    const other = await insertPatientRow(t.store, 2, { firstName: 'Ola', lastName: 'Lind' });
    const foreign = await insertPatientRow(t.store, 3, { firstName: 'Eva', lastName: 'Bergman', clinicId: OTHER_CLINIC_ID });
    // In created order first, then a late arrival (an older order pulled in later), then noise.
    const at = (day: number, hour: number) => `2025-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;
    let n = 0;
    const add = async (p: typeof berg, day: number, hour: number, clinicId?: string) =>
      insertOrderRow(t.store, p, { orderNumber: `ORD-${String(++n).padStart(4, '0')}`, createdAt: at(day, hour), ...(clinicId ? { clinicId } : {}) });
    for (let d = 1; d <= 20; d++) await add(berg, d, 9);
    expect(await firstPages('berg', 3)).toEqual([['ORD-0020', 'ORD-0019', 'ORD-0018'], ['ORD-0020', 'ORD-0019', 'ORD-0018']]);
    // A newer order with a SMALLER local id than the newest matches: created last, inserted early.
    for (let d = 1; d <= 5; d++) await add(other, d, 10);
    await add(berg, 28, 8); // newest by created_at, largest rowid: fine either way
    for (const limit of [1, 2, 3, 5, 50]) {
      const [fast, general] = await firstPages('berg', limit);
      expect(fast).toEqual(general);
    }
    // Late arrivals: old created_at, large rowid; and a same-day order at a later hour with a smaller rowid.
    await add(berg, 19, 23);
    await add(berg, 2, 7);
    const foreignOrder = await add(foreign, 30, 9, OTHER_CLINIC_ID);
    for (let i = 0; i < 15; i++) await add(berg, 1, 6); // many old ones on top of the rowid order
    for (const limit of [1, 2, 3, 4, 5, 50]) {
      const [fast, general] = await firstPages('berg', limit);
      expect(fast).toEqual(general);
      expect(fast).not.toContain(foreignOrder.order.orderNumber); // the other clinic's, newest of all
    }
    const [fast] = await firstPages('berg', 2);
    expect(fast).toEqual(['ORD-0026', 'ORD-0020']);

    // A busy day: hundreds of matches whose times of day wander a little against their rowids, so
    // the first window's check fails and the window grows; the page must still be the general plan's.
    for (let i = 0; i < 300; i++) await add(berg, 29, Math.min(23, Math.floor(i / 14) + ((i * 7) % 3)));
    for (const limit of [1, 2, 3, 5, 20, 50]) {
      const [fast2, general2] = await firstPages('berg', limit);
      expect(fast2).toEqual(general2);
    }
  });
});
