import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOrders, orderSummary } from '../../../src-main/db/queries/orders';
import { listPatients } from '../../../src-main/db/queries/patients';
import { addDays, todayIn } from '../../../src-shared/domain/dates';
import type { Order, Patient } from '../../../src-shared/schemas/entities';
import type { OrderStatus } from '../../../src-shared/schemas/enums';
import { OrderStatus as OrderStatusSchema } from '../../../src-shared/schemas/enums';
import type { OrderFilterInput, OrderListQueryInput, OrderSortColumn } from '../../../src-shared/schemas/queries';
import { insertOrderRow, insertPatientRow, openTempStore, testActor, type SeedOrder, type TempStore } from '../../support/store';

/**
 * The list queries against a naive in-memory model of the same rows: every filter, every sort
 * column in both directions, keyset pages walked to the end. The data is built with heavy ties
 * (few distinct dates, amounts, names) so the tie-breaker is what keeps pages from skipping or
 * repeating rows.
 */
const actor = testActor();
const TODAY = '2025-06-15';
const STAFF = ['a7d4e2c1-1b2c-4d3e-8f90-0123456789ab', 'b7d4e2c1-1b2c-4d3e-8f90-0123456789ab'];
const CLINICIANS = [null, 'Dr Berg', 'Dr Åkesson'];
const NAMES: [string, string][] = [['Åsa', 'Öberg'], ['Anna', 'Berg'], ['Émile', 'Ängel'], ['Bo', 'Berg'], ['Zed', 'Zorn']];
const DATES = ['2025-05-01', '2025-05-20', '2025-06-10', '2025-06-15', '2025-07-01'];
const AMOUNTS = [0, 5_000, 10_000, 10_000, 99_900, 250_000];

let t: TempStore;
let patients: Patient[];

interface Model {
  localId: number;
  seed: SeedOrder;
}
let model: Model[] = [];

/** One generated order: indexes into the small value pools above (ties on purpose). */
const orderSpec = fc.record({
  status: fc.constantFrom(...OrderStatusSchema.options),
  created: fc.nat({ max: 5 }),
  createdMinute: fc.constantFrom(0, 0, 1),
  // 21:59Z is still the same Stockholm day in summer; 22:00Z and 23:30Z are already the next one.
  createdHour: fc.constantFrom(8, 8, 21, 22, 23),
  amount: fc.nat({ max: AMOUNTS.length - 1 }),
  due: fc.option(fc.nat({ max: DATES.length - 1 }), { nil: null }),
  paid: fc.option(fc.nat({ max: DATES.length - 1 }), { nil: null }),
  staff: fc.nat({ max: STAFF.length - 1 }),
  clinician: fc.nat({ max: CLINICIANS.length - 1 }),
  kind: fc.constantFrom(null, 'invoice14', 'installments'),
  patient: fc.nat({ max: NAMES.length - 1 }),
});
type OrderSpec = typeof orderSpec extends fc.Arbitrary<infer T> ? T : never;

async function load(specs: OrderSpec[]): Promise<void> {
  t.store.sqlite.exec('DELETE FROM orders');
  model = [];
  for (const [n, s] of specs.entries()) {
    const created = `${addDays('2025-05-01', s.created * 7)}T${String(s.createdHour).padStart(2, '0')}:${String(s.createdHour === 21 ? 59 - s.createdMinute : s.createdHour === 23 ? 30 + s.createdMinute : s.createdMinute).padStart(2, '0')}:00.000Z`;
    const o: Partial<Order> = {
      orderNumber: `ORD-${String(n % 7).padStart(4, '0')}-${n}`,
      status: s.status as OrderStatus,
      total: AMOUNTS[s.amount]!,
      paidTotal: s.status === 'paid' || s.status === 'completed' ? AMOUNTS[s.amount]! : 0,
      creditedTotal: s.status === 'credited' ? AMOUNTS[s.amount]! : 0,
      createdByUserId: STAFF[s.staff]!,
      clinician: CLINICIANS[s.clinician]!,
      paymentOption: s.kind === null ? null : s.kind === 'invoice14' ? { kind: 'invoice14' } : { kind: 'installments', months: 12 },
      createdAt: created,
    };
    // As in real data: a draft has no invoice yet, every status past invoicing has one
    // (a cancelled order may have been a draft or an invoice).
    const dueIndex = s.status === 'draft' ? null : s.status === 'cancelled' ? s.due : (s.due ?? s.created % DATES.length);
    const due = dueIndex === null ? null : DATES[dueIndex]!;
    const seed = await insertOrderRow(t.store, patients[s.patient]!, o, {
      invoice: due === null ? null : { id: crypto.randomUUID(), invoiceNumber: `K1-${String(n).padStart(6, '0')}`, issueDate: '2025-04-01', dueDate: due },
      paidDate: s.paid === null ? null : DATES[s.paid]!,
    });
    model.push({ localId: 0, seed });
  }
  const ids = new Map((t.store.sqlite.prepare('SELECT id, local_id FROM orders').all() as { id: string; local_id: number }[]).map((r) => [r.id, r.local_id]));
  for (const m of model) m.localId = ids.get(m.seed.order.id)!;
}

const row = (m: Model) => {
  const { order, invoice, paidDate } = m.seed;
  return { ...order, dueDate: invoice?.dueDate ?? null, paidDate, patientSort: t.store.sqlite.prepare('SELECT patient_sort FROM orders WHERE id = ?').pluck().get(order.id) as string };
};

function naiveFilter(f: OrderFilterInput): Model[] {
  return model.filter((m) => {
    const r = row(m);
    if (f.statuses?.length && !f.statuses.includes(r.status)) return false;
    // The created range is in Stockholm calendar days, whatever UTC day the instant falls on.
    const createdDay = todayIn('Europe/Stockholm', new Date(r.createdAt));
    if (f.created?.from && createdDay < f.created.from) return false;
    if (f.created?.to && createdDay > f.created.to) return false;
    for (const [range, v] of [[f.due, r.dueDate], [f.paid, r.paidDate]] as const) {
      if (!range) continue;
      if (v === null) return false;
      if (range.from && v < range.from) return false;
      if (range.to && v > range.to) return false;
    }
    if (f.amount?.min != null && r.total < f.amount.min) return false;
    if (f.amount?.max != null && r.total > f.amount.max) return false;
    if (f.staffUserId && r.createdByUserId !== f.staffUserId) return false;
    if (f.clinician && r.clinician !== f.clinician) return false;
    if (f.paymentKind && r.paymentOption?.kind !== f.paymentKind) return false;
    if (f.patientId && r.patientId !== f.patientId) return false;
    if (f.overdueOnly && !((r.status === 'invoiced' || r.status === 'overdue') && r.dueDate !== null && r.dueDate < TODAY)) return false;
    return true;
  });
}

const KEY: Record<OrderSortColumn, (m: Model) => string | number> = {
  createdAt: (m) => row(m).createdAt,
  orderNumber: (m) => row(m).orderNumber,
  patientName: (m) => row(m).patientSort,
  total: (m) => row(m).total,
  status: (m) => row(m).status,
  dueDate: (m) => row(m).dueDate ?? '',
  paidDate: (m) => row(m).paidDate ?? '',
};

function naiveList(q: OrderListQueryInput): string[] {
  const sort = q.sort ?? 'createdAt';
  const sign = (q.direction ?? 'desc') === 'asc' ? 1 : -1;
  const keyed = naiveFilter(q).map((m) => ({ k: KEY[sort](m), i: m.localId, id: m.seed.order.id }));
  keyed.sort((a, b) => sign * (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i));
  return keyed.map((x) => x.id);
}

/** 0 forces "walk the sort index", a huge value forces "filter, then sort" (see listOrders). */
const PLANS = [undefined, 0, 1e9];

async function walk(q: OrderListQueryInput, sparseLimit?: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const r = await listOrders(t.store, actor, { ...q, cursor }, { today: TODAY, ...(sparseLimit === undefined ? {} : { sparseLimit }) });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.rows.length).toBeLessThanOrEqual(q.limit ?? 50);
    ids.push(...r.value.rows.map((x) => x.id));
    cursor = r.value.nextCursor;
    if (cursor === null) return ids;
  }
  throw new Error('pagination did not end');
}

const allFilters = fc.record(
  {
    statuses: fc.subarray(OrderStatusSchema.options, { maxLength: 4 }),
    created: fc.record({ from: fc.constantFrom(null, '2025-05-08', '2025-05-15'), to: fc.constantFrom(null, '2025-05-29', '2025-06-05') }),
    due: fc.record({ from: fc.constantFrom(null, '2025-05-20'), to: fc.constantFrom(null, '2025-06-15') }),
    paid: fc.record({ from: fc.constantFrom(null, '2025-06-10'), to: fc.constantFrom(null, '2025-07-01') }),
    amount: fc.record({ min: fc.constantFrom(null, 5_000, 10_000), max: fc.constantFrom(null, 10_000, 99_900) }),
    staffUserId: fc.constantFrom(...STAFF),
    clinician: fc.constantFrom('Dr Berg', 'Dr Åkesson'),
    paymentKind: fc.constantFrom('invoice14' as const, 'installments' as const),
    overdueOnly: fc.boolean(),
  },
);
/** At most two filters at a time, so the result sets stay large enough for pages to matter. */
const filterArb: fc.Arbitrary<OrderFilterInput> = fc
  .tuple(allFilters, fc.subarray(['statuses', 'created', 'due', 'paid', 'amount', 'staffUserId', 'clinician', 'paymentKind', 'overdueOnly'] as const, { maxLength: 2 }))
  .map(([all, keys]) => Object.fromEntries(keys.map((k) => [k, all[k]])) as OrderFilterInput);
const sortArb = fc.record({
  sort: fc.constantFrom<OrderSortColumn>('createdAt', 'orderNumber', 'patientName', 'total', 'status', 'dueDate', 'paidDate'),
  direction: fc.constantFrom('asc' as const, 'desc' as const),
  limit: fc.integer({ min: 1, max: 9 }),
});

beforeAll(async () => {
  t = await openTempStore();
  patients = [];
  for (const [i, [firstName, lastName]] of NAMES.entries()) patients.push(await insertPatientRow(t.store, i, { firstName, lastName }));
});
afterAll(async () => {
  await t.cleanup();
});

describe('orders list against a naive model', () => {
  it('every filter, every sort, every page size: keyset pages never skip or repeat (generated data, heavy ties)', async () => {
    let pagedAcrossTies = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(orderSpec, { minLength: 0, maxLength: 45 }), fc.array(fc.tuple(filterArb, sortArb), { minLength: 1, maxLength: 6 }), async (specs, queries) => {
        await load(specs);
        for (const [filter, sort] of queries) {
          const q = { ...filter, ...sort };
          const expected = naiveList(q);
          if (expected.length > sort.limit) pagedAcrossTies += 1;
          for (const plan of PLANS) expect(await walk(q, plan)).toEqual(expected);
        }
      }),
      { numRuns: 80 },
    );
    // The property is only worth something if many queries needed several pages.
    expect(pagedAcrossTies).toBeGreaterThan(20);
  });

  it('each filter on its own selects what it says (fixed data)', async () => {
    await load(fc.sample(orderSpec, { numRuns: 150, seed: 42 }));
    const cases: OrderFilterInput[] = [
      { statuses: ['invoiced'] },
      { statuses: ['paid', 'overdue', 'credited'] },
      { created: { from: '2025-05-15', to: '2025-05-29' } },
      { due: { from: '2025-05-20', to: '2025-06-10' } },
      { due: { from: null, to: '2025-05-20' } },
      { paid: { from: '2025-06-10' } },
      { amount: { min: 10_000, max: 99_900 } },
      { amount: { min: 0, max: 0 } },
      { staffUserId: STAFF[1]! },
      { clinician: 'Dr Åkesson' },
      { paymentKind: 'installments' },
      { paymentKind: 'invoice14' },
      { patientId: patients[0]!.id },
      { overdueOnly: true },
      { overdueOnly: true, statuses: ['overdue'], clinician: 'Dr Berg' },
    ];
    for (const f of cases) {
      const expected = naiveList({ ...f, sort: 'createdAt', direction: 'desc' });
      expect(expected.length, JSON.stringify(f)).toBeGreaterThan(0);
      expect(expected.length, JSON.stringify(f)).toBeLessThan(150);
      for (const plan of PLANS) expect(await walk({ ...f, limit: 500 }, plan), JSON.stringify(f)).toEqual(expected);
    }
  });

  it('sorts patients the Swedish way: å, ä, ö after z, é as e', async () => {
    await load(NAMES.map((_, i) => ({ ...fc.sample(orderSpec, { numRuns: 1, seed: i })[0]!, patient: i })));
    const r = await listOrders(t.store, actor, { sort: 'patientName', direction: 'asc' });
    expect(r.ok && r.value.rows.map((x) => x.patientName)).toEqual(['Anna Berg', 'Bo Berg', 'Zed Zorn', 'Émile Ängel', 'Åsa Öberg']);
  });

  it('refuses a cursor from another sort, a forged cursor and out-of-range inputs, naming the field', async () => {
    await load(fc.sample(orderSpec, { numRuns: 30, seed: 7 }));
    const first = await listOrders(t.store, actor, { sort: 'total', limit: 5 });
    const cursor = first.ok ? first.value.nextCursor : null;
    expect(cursor).not.toBeNull();
    const bad: [OrderListQueryInput | unknown, string][] = [
      [{ sort: 'createdAt', cursor }, 'cursor'],
      [{ sort: 'total', direction: 'asc', cursor }, 'cursor'],
      [{ sort: 'total', cursor: 'not-base64-json' }, 'cursor'],
      [{ sort: 'total', cursor: 'x'.repeat(501) }, 'cursor'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 10_000 }, 'limit'],
      [{ sort: 'note' }, 'sort'],
      [{ statuses: ['unpaid'] }, 'statuses.0'],
      [{ amount: { min: 10, max: 5 } }, 'amount.min'],
      [{ due: { from: '2025-02-30' } }, 'due.from'],
      [{ created: { from: '2025-06-01', to: '2025-05-01' } }, 'created.from'],
      [{ orderBy: 'status; DROP TABLE orders' }, '(root)'],
      [null, '(root)'],
    ];
    for (const [input, field] of bad) {
      const r = await listOrders(t.store, actor, input);
      expect(r.ok, JSON.stringify(input)).toBe(false);
      if (!r.ok) expect(r.error.field, JSON.stringify(input)).toBe(field);
    }
  });

  it('shows only the actor\u2019s clinic', async () => {
    await load(fc.sample(orderSpec, { numRuns: 10, seed: 3 }));
    const other = await listOrders(t.store, testActor({ clinicId: '0a0b0c0d-1111-4222-8333-944455566677' }), {});
    expect(other.ok && other.value.rows).toEqual([]);
  });
});

describe('accounts-receivable summary', () => {
  function naiveSummary(ms: Model[]) {
    const by = new Map<string, { count: number; total: number; paid: number; credited: number }>();
    for (const m of ms) {
      const o = m.seed.order;
      const s = by.get(o.status) ?? { count: 0, total: 0, paid: 0, credited: 0 };
      by.set(o.status, { count: s.count + 1, total: s.total + o.total, paid: s.paid + o.paidTotal, credited: s.credited + o.creditedTotal });
    }
    return [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([status, s]) => ({ status, ...s }));
  }

  it('the trigger-kept totals equal a recount after inserts, status changes, amount changes and deletes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(orderSpec, { maxLength: 40 }), fc.array(fc.tuple(fc.nat(), fc.constantFrom(...OrderStatusSchema.options), fc.nat({ max: 500_000 })), { maxLength: 15 }), fc.nat({ max: 5 }), async (specs, changes, deletes) => {
        await load(specs);
        for (const [n, status, total] of changes) {
          if (model.length === 0) break;
          const m = model[n % model.length]!;
          t.store.sqlite.prepare('UPDATE orders SET status = ?, total = ? WHERE id = ?').run(status, total, m.seed.order.id);
          m.seed.order = { ...m.seed.order, status, total };
        }
        for (let i = 0; i < deletes && model.length > 0; i++) {
          const m = model.pop()!;
          t.store.sqlite.prepare('DELETE FROM orders WHERE id = ?').run(m.seed.order.id);
        }
        const r = await orderSummary(t.store, actor, {});
        if (!r.ok) throw new Error(r.error.message);
        expect(r.value.byStatus.map(({ status, count, total, paid, credited }) => ({ status, count, total, paid, credited }))).toEqual(naiveSummary(model));
        expect(r.value.count).toBe(model.length);
      }),
      { numRuns: 30 },
    );
  });

  it('a filtered summary covers the whole filtered set, not just one page', async () => {
    await load(fc.sample(orderSpec, { numRuns: 120, seed: 11 }));
    for (const f of [{ clinician: 'Dr Berg' }, { overdueOnly: true }, { statuses: ['paid', 'credited'] as OrderStatus[] }, { amount: { min: 10_000 } }]) {
      const r = await orderSummary(t.store, actor, f, { today: TODAY });
      if (!r.ok) throw new Error(r.error.message);
      expect(r.value.byStatus.map(({ status, count, total, paid, credited }) => ({ status, count, total, paid, credited }))).toEqual(naiveSummary(naiveFilter(f)));
    }
    const all = await orderSummary(t.store, actor, {});
    const invoiced = all.ok ? all.value.byStatus.find((s) => s.status === 'invoiced') : undefined;
    // Outstanding counts only what is owed: invoiced is owed in full here, cancelled is not owed.
    if (invoiced) expect(invoiced.outstanding).toBe(invoiced.total - invoiced.paid - invoiced.credited);
    const cancelled = all.ok ? all.value.byStatus.find((s) => s.status === 'cancelled') : undefined;
    if (cancelled) expect(cancelled.outstanding).toBe(0);
  });
});

describe('patients list', () => {
  it('pages by name with the id tie-breaker, never skipping or repeating', async () => {
    const extra: Patient[] = [];
    for (let i = 0; i < 23; i++) extra.push(await insertPatientRow(t.store, 1000 + i, { firstName: 'Ola', lastName: i % 2 ? 'Ek' : 'Åberg' }));
    for (const limit of [1, 4, 7, 50]) {
      for (const direction of ['asc', 'desc'] as const) {
        const ids: string[] = [];
        let cursor: string | null = null;
        do {
          const r = await listPatients(t.store, actor, { sort: 'name', direction, limit, cursor });
          if (!r.ok) throw new Error(r.error.message);
          ids.push(...r.value.rows.map((p) => p.id));
          cursor = r.value.nextCursor;
        } while (cursor);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.length).toBe(patients.length + extra.length);
      }
    }
    const asc = await listPatients(t.store, actor, { sort: 'name', limit: 500 });
    const names = asc.ok ? asc.value.rows.map((p) => p.lastName) : [];
    expect(names.indexOf('Zorn')).toBeLessThan(names.indexOf('Åberg'));
    expect(names.indexOf('Åberg')).toBeLessThan(names.indexOf('Ängel'));
    expect(names.indexOf('Ängel')).toBeLessThan(names.indexOf('Öberg'));
  });
});
