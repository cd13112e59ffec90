import { sql, type RawBuilder } from 'kysely';
import { addDays, todayIn } from '../../../src-shared/domain/dates';
import type { OrderStatus } from '../../../src-shared/schemas/enums';
import {
  OrderFilter, OrderListQuery, type OrderFilterInput, type OrderListQueryInput, type OrderPage, type OrderSortColumn, type OrderSummary,
  summarizeByStatus,
} from '../../../src-shared/schemas/queries';
import { parseInput, serviceError, type ServiceResult } from '../../services/errors';
import type { Actor } from '../../services/actor';
import type { LocalStore } from '../open';
import { prepared } from '../statements';
import { decodeCursor, encodeCursor } from './cursor';
import { ORDER_LIST_COLUMNS, rowToOrderListRow, type OrderListDbRow } from './mappers';
import { ftsMatchExpression } from './text';
import { startOfDayIn } from './zone';

/**
 * The orders list: any combination of filters, sorting on any listed column with the local id as
 * the tie-breaker, keyset pagination, and the accounts-receivable header.
 *
 * Every sort column has an index whose implicit trailing rowid (local_id) is the tie-breaker, so
 * "the next page" is one index range scan from the cursor however deep it is. Nullable date
 * columns sort through ifnull(col, '') (the exact expression their index is on): undated rows
 * come first ascending and last descending.
 */
const SORT_SQL: Record<OrderSortColumn, string> = {
  createdAt: 'created_at',
  orderNumber: 'order_number',
  patientName: 'patient_sort',
  total: 'total',
  status: 'status',
  dueDate: "ifnull(due_date, '')",
  paidDate: "ifnull(paid_date, '')",
};
const SORT_KEY_OF: Record<OrderSortColumn, (r: OrderListDbRow & { patient_sort: string }) => string | number> = {
  createdAt: (r) => r.created_at,
  orderNumber: (r) => r.order_number,
  patientName: (r) => r.patient_sort,
  total: (r) => r.total,
  status: (r) => r.status,
  dueDate: (r) => r.due_date ?? '',
  paidDate: (r) => r.paid_date ?? '',
};

const OPEN_STATUSES: OrderStatus[] = ['invoiced', 'overdue'];
const OPEN_STATUSES_SQL = sql.raw(OPEN_STATUSES.map((st) => `'${st}'`).join(', '));
/** Statuses only reachable through invoice.issue, so their rows always carry issue and due dates. */
const ALWAYS_INVOICED = new Set<OrderStatus>(['invoiced', 'paid', 'installments', 'completed', 'overdue', 'rejected', 'credited']);

export interface QueryOptions {
  /** The calendar day "overdue" is measured against (default: today in Stockholm). */
  readonly today?: string;
  /** Overrides SPARSE_LIMIT (tests use it to force each query plan). */
  readonly sparseLimit?: number;
}

/**
 * One WHERE condition. `plus` writes its columns as `+col`, which tells SQLite not to use an
 * index for it (the condition is then checked on the rows another index walks). `column` names
 * the sort column the condition ranges over, or the equality a composite (col, created_at) index
 * can serve together with the created sort.
 */
interface Cond {
  build(plus: boolean): RawBuilder<unknown>;
  sortColumn?: OrderSortColumn;
  composite?: 'status' | 'staff' | 'clinician' | 'overdue';
  search?: boolean;
}
const col = (name: string, plus: boolean) => sql.raw(plus ? `+${name}` : name);

/** The WHERE conditions of a filter; shared by the list and the summary so they always agree. */
function filterConditions(f: OrderFilter, today: string): Cond[] {
  const c: Cond[] = [];
  const statuses = [...new Set(f.statuses)];
  if (statuses.length > 0) {
    c.push({ build: (p) => sql`${col('status', p)} IN (${sql.join(statuses)})`, sortColumn: 'status', ...(statuses.length === 1 ? { composite: 'status' as const } : {}) });
  }
  // created_at is a UTC instant; the dates are Stockholm calendar days (the desk is in Sweden), and
  // the inclusive end date means "before the next Stockholm day starts".
  if (f.created?.from) c.push({ build: (p) => sql`${col('created_at', p)} >= ${startOfDayIn(f.created!.from!)}`, sortColumn: 'createdAt' });
  if (f.created?.to) c.push({ build: (p) => sql`${col('created_at', p)} < ${startOfDayIn(addDays(f.created!.to!, 1))}`, sortColumn: 'createdAt' });
  for (const [range, column, sortColumn] of [[f.due, 'due_date', 'dueDate'], [f.paid, 'paid_date', 'paidDate']] as const) {
    if (!range) continue;
    const expr = `ifnull(${column}, '')`;
    // '0' > '' keeps undated rows out of any date range, through the same expression index.
    c.push({ build: (p) => sql`${col(expr, p)} >= ${range.from ?? '0'}`, sortColumn });
    if (range.to) c.push({ build: (p) => sql`${col(expr, p)} <= ${range.to}`, sortColumn });
  }
  if (f.amount?.min != null) c.push({ build: (p) => sql`${col('total', p)} >= ${f.amount!.min}`, sortColumn: 'total' });
  if (f.amount?.max != null) c.push({ build: (p) => sql`${col('total', p)} <= ${f.amount!.max}`, sortColumn: 'total' });
  if (f.staffUserId) c.push({ build: (p) => sql`${col('created_by_user_id', p)} = ${f.staffUserId}`, composite: 'staff' });
  if (f.clinician) c.push({ build: (p) => sql`${col('clinician', p)} = ${f.clinician}`, composite: 'clinician' });
  if (f.paymentKind) c.push({ build: (p) => sql`${col('payment_kind', p)} = ${f.paymentKind}` });
  if (f.patientId) c.push({ build: (p) => sql`${col('patient_id', p)} = ${f.patientId}` });
  // Same predicate as the partial index orders_open_due, so overdue-only can be an index range.
  // orders_open_created serves it together with the created sort.
  // The statuses are literals, not parameters: SQLite can only prove a partial index's WHERE from constants.
  if (f.overdueOnly) c.push({ build: (p) => sql`${col('status', p)} IN (${OPEN_STATUSES_SQL}) AND ${col('due_date', p)} < ${today}`, composite: 'overdue' });
  // Only drafts (and orders cancelled as drafts) have no invoice dates: when the statuses asked
  // for exclude them, say so, so a walk of the due-date index skips the undated block at once.
  const requested = f.overdueOnly ? OPEN_STATUSES : statuses;
  if (requested.length > 0 && requested.every((st) => ALWAYS_INVOICED.has(st))) {
    c.push({ build: (p) => sql`${col(`ifnull(due_date, '')`, p)} > ''`, sortColumn: 'dueDate' });
  }
  const match = ftsMatchExpression(f.search);
  if (match) c.push({ build: (p) => sql`${col('local_id', p)} IN (SELECT rowid FROM orders_fts WHERE orders_fts MATCH ${match})`, search: true });
  return c;
}

/**
 * Below this many matches a filtered page is fastest as "find the matches through their own index,
 * then sort them"; above it, as "walk the sort index and skip what does not match" (each page then
 * reads about limit ÷ density rows). A cheap bounded count decides, instead of hoping the planner
 * guesses the selectivity of a status, a date range or an FTS term right.
 */
const SPARSE_LIMIT = 2000;

type Plan = 'walk_sort_index' | 'composite' | 'filter_then_sort';

async function choosePlan(store: LocalStore, clinic: RawBuilder<unknown>, conds: Cond[], sort: OrderSortColumn, sparseLimit: number, search: string): Promise<{ plan: Plan; composite?: Cond }> {
  const filters = conds.filter((c) => c.sortColumn !== sort);
  if (filters.length === 0) return { plan: 'walk_sort_index' };
  if (sort === 'createdAt') {
    // (status|staff|clinician, created_at) indexes serve an equality filter and the sort at once.
    const composite = (['overdue', 'status', 'staff', 'clinician'] as const).map((k) => filters.find((c) => c.composite === k)).find((c) => c !== undefined);
    if (composite) return { plan: 'composite', composite };
  }
  // A text search that matches many patients matches at least as many orders (every patient who
  // is searched for has orders), so when it is the only filter the walk is the plan and the probe,
  // which would run the FTS query and build its rowid set a second time, is skipped.
  // Walking past non-matches of a text search costs less than past other filters' (the rowid it
  // checks is in every sort index, no row is read), so the walk pays off at a lower density.
  const searchOnly = filters.length === 1 && filters[0]!.search === true;
  const limit = searchOnly ? Math.ceil(sparseLimit / 4) : sparseLimit;
  if (searchOnly && commonNameSearch(store, search, limit)) return { plan: 'walk_sort_index' };
  const probe = await sql<{ n: number }>`
    SELECT count(*) AS n FROM (SELECT 1 FROM orders WHERE ${sql.join([clinic, ...conds.map((c) => c.build(false))], sql` AND `)} LIMIT ${limit})`.execute(store.db);
  return { plan: Number(probe.rows[0]?.n ?? 0) < limit ? 'filter_then_sort' : 'walk_sort_index' };
}

/**
 * True when the search's patient matches alone (patients_fts: 3x fewer rows than orders, about a
 * millisecond even for "berg") promise sparseLimit orders. Only a cost estimate: either plan gives
 * the same rows.
 */
function commonNameSearch(store: LocalStore, search: string, sparseLimit: number): boolean {
  const match = ftsMatchExpression(search);
  if (!match) return false;
  const ordersPerPatient = prepared(store.sqlite, 'SELECT (SELECT ifnull(max(local_id), 0) FROM orders) * 1.0 / max(1, (SELECT ifnull(max(local_id), 0) FROM patients))').pluck().get() as number;
  const needed = Math.ceil(sparseLimit / Math.max(ordersPerPatient, 1e-9));
  const patients = prepared(store.sqlite, 'SELECT count(*) FROM (SELECT 1 FROM patients_fts WHERE patients_fts MATCH ? LIMIT ?)').pluck().get(match, needed) as number;
  return patients >= needed;
}

export async function listOrders(store: LocalStore, actor: Actor, input: OrderListQueryInput | unknown, options: QueryOptions = {}): Promise<ServiceResult<OrderPage>> {
  const parsed = parseInput(OrderListQuery, input);
  if (!parsed.ok) return parsed;
  const q = parsed.value;
  let cursor: ReturnType<typeof decodeCursor> = null;
  if (q.cursor !== null) {
    cursor = decodeCursor(q.cursor, q.sort, q.direction);
    if (!cursor) return { ok: false, error: serviceError('validation', 'cursor: does not belong to this sort; start from the first page', 'cursor') };
  }
  const conds = filterConditions(q, options.today ?? todayIn());
  const clinic = sql`clinic_id = ${actor.clinicId}`;
  if (q.cursor === null && q.sort === 'createdAt' && q.direction === 'desc' && conds.length === 1 && conds[0]!.search && options.sparseLimit === undefined) {
    const rows = newestMatches(store, actor.clinicId, ftsMatchExpression(q.search)!, q.limit + 1);
    if (rows) return { ok: true, value: pageOf(rows, q) };
  }
  const { plan, composite } = await choosePlan(store, clinic, conds, q.sort, options.sparseLimit ?? SPARSE_LIMIT, q.search);

  // walk_sort_index / composite: only the sort column (and the composite equality) may use an
  // index; filter_then_sort: every filter may, and the sort key may not (so SQLite sorts the few).
  const sortPlus = plan === 'filter_then_sort';
  const where = [clinic, ...conds.map((c) => c.build(plan === 'filter_then_sort' ? false : c.sortColumn !== q.sort && c !== composite))];
  const keyName = SORT_SQL[q.sort];
  const key = col(keyName, sortPlus);
  const dir = sql.raw(q.direction === 'asc' ? 'ASC' : 'DESC');
  if (cursor !== null) {
    const c = cursor;
    // The scalar bound gives SQLite a range start on the sort index (it does not derive one from
    // a row value over an expression index); the row value is the exact keyset condition.
    where.push(q.direction === 'asc' ? sql`${key} >= ${c.k} AND (${key}, local_id) > (${c.k}, ${c.i})` : sql`${key} <= ${c.k} AND (${key}, local_id) < (${c.k}, ${c.i})`);
  }
  const columns = sql.raw([...ORDER_LIST_COLUMNS, 'patient_sort'].join(', '));
  const { rows } = await sql<OrderListDbRow & { patient_sort: string }>`
    SELECT ${columns} FROM orders
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY ${key} ${dir}, local_id ${dir}
    LIMIT ${q.limit + 1}`.execute(store.db);
  return { ok: true, value: pageOf(rows, q) };
}

type ListDbRow = OrderListDbRow & { patient_sort: string };
function pageOf(rows: ListDbRow[], q: OrderListQuery): OrderPage {
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > q.limit && last ? encodeCursor({ s: q.sort, d: q.direction, k: SORT_KEY_OF[q.sort](last), i: last.local_id }) : null;
  return { rows: page.map(rowToOrderListRow), nextCursor };
}

/**
 * The first page of a text search, newest first (the type-ahead case), without collecting every
 * match: FTS5 hands out matches in rowid order, newest rowid first, so the first `n` of this clinic
 * are read and joined directly. Orders are written in time order, so these are normally also the
 * `n` newest by created_at; that is CHECKED, not assumed: if any order with a smaller local id was
 * created at or after the oldest of them (an older order pulled in later, a clock step), this
 * returns null and the general plan answers. Exact either way.
 */
function newestMatches(store: LocalStore, clinicId: string, match: string, n: number): ListDbRow[] | null {
  const columns = [...ORDER_LIST_COLUMNS, 'patient_sort'].map((c) => `orders.${c}`).join(', ');
  // Read CANDIDATE_FACTOR × n: orders of one day are not in created order among themselves (times
  // of day vary, a day is ~1,400 orders at 1M), so the n-th newest must sit well inside the window.
  const candidates = prepared(store.sqlite, `SELECT ${columns} FROM orders_fts CROSS JOIN orders ON orders.local_id = orders_fts.rowid
    WHERE orders_fts MATCH ? AND orders.clinic_id = ? ORDER BY orders_fts.rowid DESC LIMIT ?`).all(match, clinicId, n * CANDIDATE_FACTOR) as ListDbRow[];
  const byCreatedDesc = (a: ListDbRow, b: ListDbRow) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : b.local_id - a.local_id);
  candidates.sort(byCreatedDesc);
  if (candidates.length < n * CANDIDATE_FACTOR) return candidates.slice(0, n); // every match of this clinic
  const lowestId = Math.min(...candidates.map((r) => r.local_id));
  const nth = candidates[n - 1]!.created_at;
  // Any order (matching or not, any clinic: cheaper and only stricter) below the window created at
  // or after the n-th newest candidate could belong on the page.
  const outOfOrder = prepared(store.sqlite, 'SELECT 1 FROM orders INDEXED BY orders_created WHERE created_at >= ? AND local_id < ? LIMIT 1').get(nth, lowestId);
  return outOfOrder ? null : candidates.slice(0, n);
}
const CANDIDATE_FACTOR = 4;

const EMPTY_FILTER = OrderFilter.parse({});
function isUnfiltered(f: OrderFilter): boolean {
  return JSON.stringify(f) === JSON.stringify(EMPTY_FILTER);
}

/**
 * The AR header: count and sums per status over the filtered set. Unfiltered (the common case,
 * and the one that must stay cheap at 1M orders) it reads the trigger-maintained per-status
 * totals; with filters it aggregates the filtered rows.
 */
export async function orderSummary(store: LocalStore, actor: Actor, input: OrderFilterInput | unknown = {}, options: QueryOptions = {}): Promise<ServiceResult<OrderSummary>> {
  const parsed = parseInput(OrderFilter, input);
  if (!parsed.ok) return parsed;
  const f = parsed.value;
  let rows: { status: string; order_count: number; total_sum: number; paid_sum: number; credited_sum: number }[];
  if (isUnfiltered(f)) {
    rows = await store.db
      .selectFrom('order_status_totals')
      .select(['status', 'order_count', 'total_sum', 'paid_sum', 'credited_sum'])
      .where('clinic_id', '=', actor.clinicId)
      .where('order_count', '>', 0)
      .execute();
  } else {
    const conds = [sql`clinic_id = ${actor.clinicId}`, ...filterConditions(f, options.today ?? todayIn()).map((c) => c.build(false))];
    rows = (
      await sql<(typeof rows)[number]>`
        SELECT status, count(*) AS order_count, sum(total) AS total_sum, sum(paid_total) AS paid_sum, sum(credited_total) AS credited_sum
        FROM orders WHERE ${sql.join(conds, sql` AND `)} GROUP BY status`.execute(store.db)
    ).rows;
  }
  return {
    ok: true,
    value: summarizeByStatus(
      rows.map((r) => ({ status: r.status as OrderStatus, count: Number(r.order_count), total: Number(r.total_sum), paid: Number(r.paid_sum), credited: Number(r.credited_sum) })),
    ),
  };
}
