import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayIn } from '../../../src-shared/domain/dates';
import { patientSortKey } from '../../../src-shared/domain/text-keys';
import { ConsoleOrderQuery, type ConsoleOrderPage, type ConsoleOrderQueryInput, type ConsoleOrderRow } from '../../../src-shared/schemas/console';
import type { PushResponse } from '../../../src-shared/sync/protocol';
import { OrderSortColumn } from '../../../src-shared/schemas/queries';
import { consoleDb, rebuildConsoleProjection } from '../../../src-server/console/order-projection';
import { searchOrders } from '../../../src-server/console/order-search';
import { api, World, type Device } from '../accounts/support';
import { DB_KINDS, orderInput, patientInput, recordPayment, type TestClinic } from '../sync/support/harness';

/** Several mutations of one desk in one push (consecutive seqs), all of which must apply. */
async function pushAll(w: World, dev: Device, actorUserId: string, muts: [string, unknown][]): Promise<void> {
  const mutations = muts.map(([name, payload]) => {
    dev.seq += 1;
    return { mutationId: randomUUID(), deviceId: dev.id, seq: dev.seq, name, actorUserId, payload, clientTime: new Date().toISOString() };
  });
  const r = await api<PushResponse>(w.url, 'POST', '/v1/sync/push', { mutations }, { authorization: dev.header });
  const bad = r.body.results?.find((x) => x.status !== 'applied');
  if (r.status !== 200 || bad) throw new Error(`push: ${JSON.stringify(bad ?? r.body)}`);
}

const NAMES: [string, string][] = [
  ['Åsa', 'Strömberg'], ['Örjan', 'Öberg'], ['Ärla', 'Ängström'], ['Olle', 'Oberg'], ['Karin', 'Berg'], ['Per', 'Stroman'],
];
const PRICES = [10_000, 20_000, 20_000, 30_000];
const TODAY = todayIn();

interface Seeded {
  clinic: TestClinic;
  orders: { id: string; orderNumber: string; patient: [string, string]; total: number; clinician: string; invoiced: 'overdue' | 'due_later' | null; paid: boolean; cancelled: boolean }[];
}

/**
 * Three clinics, 16 orders each (48 in all), many with equal totals, equal creation instants
 * within a push, the same patient names in every clinic: ties everywhere, so only the
 * (clinic, id) tie-breaker keeps pages stable.
 */
async function seed(w: World): Promise<Seeded[]> {
  const out: Seeded[] = [];
  for (let c = 0; c < 3; c += 1) {
    const clinic = await w.clinic(`Klinik ${['Alfa', 'Beta', 'Gamma'][c]}`);
    const dev = await w.enrol(clinic.clinicId);
    const patients = NAMES.map(([firstName, lastName]) => ({ ...patientInput(), firstName, lastName }));
    await pushAll(w, dev, clinic.userId, patients.map((p) => ['patient.create', p]));
    const orders: Seeded['orders'] = [];
    const muts: [string, unknown][] = [];
    for (let i = 0; i < 16; i += 1) {
      const p = patients[i % patients.length]!;
      const base = orderInput(p.id);
      const total = PRICES[i % PRICES.length]!;
      const clinician = i % 3 === 0 ? 'Dr Ek' : 'Dr Berg';
      const o = { ...base, clinician, lines: [{ ...base.lines[0]!, unitPrice: total }] };
      muts.push(['order.create', o]);
      const invoiced = i % 4 === 1 ? 'overdue' : i % 4 === 2 ? 'due_later' : null;
      if (invoiced) {
        muts.push(['invoice.issue', {
          orderId: o.id, invoiceId: randomUUID(), seriesId: `S${c}`, invoiceNumber: `F${c}-${String(100 + i).padStart(6, '0')}`, ocr: `${1000 + i}`,
          issueDate: '2026-01-01', dueDate: invoiced === 'overdue' ? '2026-01-15' : '2099-12-31', paymentOption: { kind: 'invoice14' },
        }]);
      }
      const cancelled = i % 4 === 3 && i % 8 === 3;
      if (cancelled) muts.push(['order.cancel', { orderId: o.id, reason: 'duplicate' }]);
      orders.push({ id: o.id, orderNumber: o.orderNumber, patient: [p.firstName, p.lastName], total, clinician, invoiced, paid: false, cancelled });
    }
    await pushAll(w, dev, clinic.userId, muts);
    // Pay one order that is due later in full: it becomes paid, with today as its paid date.
    const toPay = orders.find((o) => o.invoiced === 'due_later')!;
    const paid = await recordPayment(w.url, clinic.clinicId, toPay.id, toPay.total);
    if (paid.status !== 200) throw new Error(`payment: ${JSON.stringify(paid.body)}`);
    toPay.paid = true;
    out.push({ clinic, orders });
  }
  return out;
}

/** The sort key of a row as the query orders it (undated rows sort as ''). */
function keyOf(sort: OrderSortColumn, r: ConsoleOrderRow): string | number {
  switch (sort) {
    case 'createdAt': return r.createdAt;
    case 'orderNumber': return r.orderNumber;
    case 'patientName': { const [first = '', ...last] = r.patientName.split(' '); return patientSortKey(first, last.join(' ')); }
    case 'total': return r.total;
    case 'status': return r.status;
    case 'dueDate': return r.dueDate ?? '';
    case 'paidDate': return r.paidDate ?? '';
  }
}
const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

describe.each(DB_KINDS)('console order search in SQL (%s)', (kind) => {
  let w: World;
  let sys: string;
  let data: Seeded[];
  let all: Seeded['orders'];
  const search = (q: ConsoleOrderQueryInput) => w.con<ConsoleOrderPage>(sys, 'POST', '/orders/search', q);
  const ids = async (q: ConsoleOrderQueryInput) => {
    const r = await search({ limit: 200, ...q });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.rows.map((x) => x.id);
  };
  const idSet = async (q: ConsoleOrderQueryInput) => new Set(await ids(q));

  beforeAll(async () => {
    w = await World.start(kind);
    sys = await w.consoleToken();
    data = await seed(w);
    all = data.flatMap((d) => d.orders);
  }, 120_000);
  afterAll(async () => {
    await w?.close();
  });

  it('pages through every sort, both ways, without skipping or repeating an order of any clinic', async () => {
    for (const sort of OrderSortColumn.options) {
      for (const direction of ['asc', 'desc'] as const) {
        const whole = await search({ sort, direction, limit: 200 });
        expect(whole.body.nextCursor).toBeNull();
        const paged: ConsoleOrderRow[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const r: { status: number; body: ConsoleOrderPage } = await search({ sort, direction, limit: 7, cursor });
          expect(r.status, `${sort} ${direction}: ${JSON.stringify(r.body)}`).toBe(200);
          expect(r.body.rows.length).toBeLessThanOrEqual(7);
          // The header comes with the first page only.
          expect(r.body.summary === null).toBe(cursor !== null);
          paged.push(...r.body.rows);
          cursor = r.body.nextCursor;
          pages += 1;
        } while (cursor !== null && pages < 20);
        const label = `${sort} ${direction}`;
        expect(paged.length, label).toBe(all.length);
        expect(new Set(paged.map((x) => `${x.clinicId}:${x.id}`)).size, label).toBe(all.length);
        // Same order as one big page: the tie-breaker is stable.
        expect(paged.map((x) => x.id), label).toEqual(whole.body.rows.map((x) => x.id));
        const sign = direction === 'asc' ? 1 : -1;
        for (let i = 1; i < paged.length; i += 1) expect(sign * cmp(keyOf(sort, paged[i - 1]!), keyOf(sort, paged[i]!)), `${label} at ${i}`).toBeLessThanOrEqual(0);
      }
    }
  });

  it('sorts patient names the Swedish way: å, ä, ö after z, and ö is not o', async () => {
    const rows = (await search({ sort: 'patientName', direction: 'asc', limit: 200 })).body.rows;
    const lastNames = [...new Set(rows.map((r) => r.patientName.split(' ')[1]))];
    expect(lastNames).toEqual(['Berg', 'Oberg', 'Stroman', 'Strömberg', 'Ängström', 'Öberg']);
  });

  it('applies each of the desk\'s filters, alone and together, with per-status totals over the whole set', async () => {
    const [a, b] = data as [Seeded, Seeded, Seeded];
    expect(await idSet({})).toEqual(new Set(all.map((o) => o.id)));
    expect(await idSet({ clinicId: a.clinic.clinicId })).toEqual(new Set(a.orders.map((o) => o.id)));
    expect(await idSet({ statuses: ['cancelled'] })).toEqual(new Set(all.filter((o) => o.cancelled).map((o) => o.id)));
    expect(await idSet({ statuses: ['draft', 'cancelled'] })).toEqual(new Set(all.filter((o) => !o.invoiced).map((o) => o.id)));
    expect(await idSet({ amount: { min: 20_000, max: 20_000 } })).toEqual(new Set(all.filter((o) => o.total === 20_000).map((o) => o.id)));
    expect(await idSet({ amount: { min: 25_000 } })).toEqual(new Set(all.filter((o) => o.total >= 25_000).map((o) => o.id)));
    expect(await idSet({ clinician: 'Dr Ek' })).toEqual(new Set(all.filter((o) => o.clinician === 'Dr Ek').map((o) => o.id)));
    expect(await idSet({ staffUserId: b.clinic.userId })).toEqual(new Set(b.orders.map((o) => o.id)));
    expect(await idSet({ paymentKind: 'invoice14' })).toEqual(new Set(all.filter((o) => o.invoiced).map((o) => o.id)));
    expect(await idSet({ due: { from: '2026-01-01', to: '2026-01-31' } })).toEqual(new Set(all.filter((o) => o.invoiced === 'overdue').map((o) => o.id)));
    expect(await idSet({ due: { to: '2030-01-01' } })).toEqual(new Set(all.filter((o) => o.invoiced === 'overdue').map((o) => o.id)));
    expect(await idSet({ overdueOnly: true })).toEqual(new Set(all.filter((o) => o.invoiced === 'overdue').map((o) => o.id)));
    expect(await idSet({ paid: { from: TODAY, to: TODAY } })).toEqual(new Set(all.filter((o) => o.paid).map((o) => o.id)));
    expect(await idSet({ created: { from: TODAY, to: null } })).toEqual(new Set(all.map((o) => o.id)));
    expect(await ids({ created: { from: null, to: '2020-01-01' } })).toEqual([]);
    const one = a.orders[0]!;
    const patientId = (await search({ search: one.orderNumber })).body.rows[0]!.patientId;
    expect(await idSet({ patientId })).toEqual(new Set(a.orders.filter((o) => o.patient.join(' ') === one.patient.join(' ')).map((o) => o.id)));
    // Together: every condition holds.
    const both = await search({ clinicId: a.clinic.clinicId, clinician: 'Dr Berg', amount: { min: 20_000 }, statuses: ['draft'], limit: 200 });
    expect(new Set(both.body.rows.map((r) => r.id))).toEqual(new Set(a.orders.filter((o) => o.clinician === 'Dr Berg' && o.total >= 20_000 && !o.invoiced && !o.cancelled).map((o) => o.id)));

    // Per-status totals over the whole filtered set, not the page.
    const page = await search({ limit: 1 });
    const s = page.body.summary!;
    expect(s.count).toBe(all.length);
    expect(s.total).toBe(all.reduce((x, o) => x + o.total, 0));
    const count = (st: string) => s.byStatus.find((x) => x.status === st)?.count ?? 0;
    expect(count('paid')).toBe(3);
    expect(count('cancelled')).toBe(all.filter((o) => o.cancelled).length);
    expect(count('invoiced')).toBe(all.filter((o) => o.invoiced).length - 3);
    expect(count('draft')).toBe(all.filter((o) => !o.invoiced && !o.cancelled).length);
    const invoiced = s.byStatus.find((x) => x.status === 'invoiced')!;
    expect(invoiced.outstanding).toBe(invoiced.total);
    const filtered = (await search({ clinicId: a.clinic.clinicId, limit: 1 })).body.summary!;
    expect(filtered.count).toBe(a.orders.length);
  });

  it('searches case-insensitively with å, ä and ö, by word prefix, across names, numbers, invoice numbers and phones', async () => {
    const byLastName = (n: string) => new Set(all.filter((o) => o.patient[1] === n).map((o) => o.id));
    expect(await idSet({ search: 'ström' })).toEqual(byLastName('Strömberg'));
    expect(await idSet({ search: 'STRÖM' })).toEqual(byLastName('Strömberg'));
    // A decomposed ö (o + combining diaeresis) is the same letter.
    expect(await idSet({ search: 'stro\u0308m' })).toEqual(byLastName('Strömberg'));
    expect(await idSet({ search: 'strom' })).toEqual(byLastName('Stroman'));
    expect(await idSet({ search: 'öberg' })).toEqual(byLastName('Öberg'));
    expect(await idSet({ search: 'ÄNGS' })).toEqual(byLastName('Ängström'));
    // Every word must match the start of some word, and ö is not o: "oberg" is Oberg, not Öberg or Strömberg.
    expect(await idSet({ search: 'oberg' })).toEqual(byLastName('Oberg'));
    expect(await idSet({ search: 'karin berg' })).toEqual(byLastName('Berg'));
    expect(await idSet({ search: 'åsa ström' })).toEqual(byLastName('Strömberg'));
    expect(await ids({ search: 'åsa öberg' })).toEqual([]);
    const o = data[1]!.orders.find((x) => x.invoiced)!;
    expect(await ids({ search: o.orderNumber.toLowerCase() })).toEqual([o.id]);
    const inv = (await search({ search: o.orderNumber })).body.rows[0]!.invoiceNumber!;
    expect(await ids({ search: inv })).toEqual([o.id]);
    // The test patients' phone is +46 70 123 45 67: typed the Swedish way too.
    expect((await ids({ search: '070-123 45' })).length).toBe(all.length);
    expect((await ids({ search: '+46 70 123' })).length).toBe(all.length);
    const row = (await search({ search: o.orderNumber })).body.rows[0]!;
    expect(await idSet({ search: `${row.personnummer.slice(0, 8)}-${row.personnummer.slice(8)}` })).toEqual(new Set(data[1]!.orders.filter((x) => x.patient.join(' ') === o.patient.join(' ')).map((x) => x.id)));
    // LIKE's wildcards typed as text find nothing rather than everything.
    expect(await ids({ search: '%' })).toHaveLength(all.length);
    expect(await ids({ search: '_ström' })).toEqual([...(await ids({ search: 'ström' }))]);
  });

  it('refuses a cursor of another sort or a tampered one, and pages above the bound', async () => {
    const first = await search({ sort: 'total', direction: 'asc', limit: 5 });
    const other = await search({ sort: 'createdAt', direction: 'asc', limit: 5, cursor: first.body.nextCursor });
    expect(other.status).toBe(400);
    expect(other.body.field).toBe('body.cursor');
    const tampered = await search({ sort: 'total', direction: 'asc', limit: 5, cursor: `${first.body.nextCursor}x` });
    expect(tampered.status).toBe(400);
    const big = await search({ limit: 201 });
    expect(big.status).toBe(400);
    expect(big.body.field).toBe('body.limit');
    const offset = await w.con(sys, 'POST', '/orders/search', { offset: 10 });
    expect(offset.status).toBe(400);
    expect(offset.body.field).toBe('body.offset');
  });

  it('answers only a system administrator', async () => {
    const q = ConsoleOrderQuery.parse({});
    for (const role of ['staff', 'clinic_admin'] as const) {
      await expect(searchOrders(w.sdb, { userId: randomUUID(), role, clinicId: data[0]!.clinic.clinicId, ip: null }, q)).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    }
    expect((await api(w.url, 'POST', '/console/api/orders/search', {})).status).toBe(401);
    const page = await searchOrders(w.sdb, { userId: w.sysadminId, role: 'system_admin', clinicId: null, ip: null }, ConsoleOrderQuery.parse({ limit: 200 }));
    expect(new Set(page.rows.map((r) => r.clinicId))).toEqual(new Set(data.map((d) => d.clinic.clinicId)));
  });

  it('projects documents stored before the projection existed (migration 005) the same way the writes do', async () => {
    const before = await search({ sort: 'patientName', direction: 'desc', limit: 200 });
    const db = consoleDb(w.sdb.db);
    await db.deleteFrom('console_orders').execute();
    await db.deleteFrom('console_patients').execute();
    expect(await ids({})).toEqual([]);
    await rebuildConsoleProjection(w.sdb.db);
    const after = await search({ sort: 'patientName', direction: 'desc', limit: 200 });
    expect(after.body).toEqual(before.body);
  });

  it('follows later writes from the change feed: a renamed patient, a cancelled order', async () => {
    const clinic = await w.clinic('Klinik Delta');
    const dev = await w.enrol(clinic.clinicId);
    const p = { ...patientInput(), firstName: 'Märta', lastName: 'Ödmark' };
    const o = orderInput(p.id);
    await pushAll(w, dev, clinic.userId, [['patient.create', p], ['order.create', o]]);
    expect(await ids({ search: 'ödmark', clinicId: clinic.clinicId })).toEqual([o.id]);
    await pushAll(w, dev, clinic.userId, [['patient.update', { id: p.id, patch: { lastName: 'Åkerlund' } }], ['order.cancel', { orderId: o.id, reason: 'duplicate' }]]);
    expect(await ids({ search: 'ödmark', clinicId: clinic.clinicId })).toEqual([]);
    const r = await search({ search: 'åkerl', clinicId: clinic.clinicId });
    expect(r.body.rows.map((x) => [x.id, x.patientName, x.status])).toEqual([[o.id, 'Märta Åkerlund', 'cancelled']]);
    expect(await ids({ statuses: ['draft'], clinicId: clinic.clinicId })).toEqual([]);
  });

  it('reads a created-date range as Stockholm calendar days, like the desk', async () => {
    const clinic = await w.clinic('Klinik Epsilon');
    const dev = await w.enrol(clinic.clinicId);
    const p = patientInput();
    const o = orderInput(p.id);
    await pushAll(w, dev, clinic.userId, [['patient.create', p], ['order.create', o]]);
    // A search projects the feed; then the order is moved to a known instant.
    expect(await ids({ clinicId: clinic.clinicId })).toEqual([o.id]);
    // 23:30 UTC on 1 March is 00:30 on 2 March in Stockholm (CET, UTC+1).
    await consoleDb(w.sdb.db).updateTable('console_orders').set({ created_at: '2026-03-01T23:30:00.000Z' }).where('id', '=', o.id).execute();
    const inClinic = (created: { from: string | null; to: string | null }) => ids({ clinicId: clinic.clinicId, created });
    expect(await inClinic({ from: '2026-03-02', to: '2026-03-02' })).toEqual([o.id]);
    expect(await inClinic({ from: null, to: '2026-03-01' })).toEqual([]);
    expect(await inClinic({ from: '2026-03-03', to: null })).toEqual([]);
  });

  it('pages by the longest patient names there can be', async () => {
    const clinic = await w.clinic('Klinik Zeta');
    const dev = await w.enrol(clinic.clinicId);
    // Names of 100 characters (the limit): the sort key, and so the cursor, holds both.
    const patients = ['Åke', 'Örn', 'Ärla'].map((n) => ({ ...patientInput(), firstName: n.padEnd(100, 'ö'), lastName: n.padEnd(100, 'ä') }));
    const orders = patients.map((p) => orderInput(p.id));
    await pushAll(w, dev, clinic.userId, [...patients.map((p): [string, unknown] => ['patient.create', p]), ...orders.map((o): [string, unknown] => ['order.create', o])]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: { status: number; body: ConsoleOrderPage } = await search({ clinicId: clinic.clinicId, sort: 'patientName', direction: 'asc', limit: 1, cursor });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      seen.push(...r.body.rows.map((x) => x.id));
      cursor = r.body.nextCursor;
    } while (cursor !== null && seen.length < 5);
    expect(seen).toEqual([orders[0]!.id, orders[2]!.id, orders[1]!.id]);
  });
});
