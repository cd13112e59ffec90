import { sql, type RawBuilder } from 'kysely';
import { addDays, todayIn } from '../../../src-shared/domain/dates';
import type { OrderStatus } from '../../../src-shared/schemas/enums';
import {
  OrderFilter, OrderListQuery, type OrderFilterInput, type OrderListQueryInput, type OrderPage, type OrderSortColumn, type OrderSummary,
  type StatusTotals,
} from '../../../src-shared/schemas/queries';
import { parseInput, serviceError, type ServiceResult } from '../../services/errors';
import type { Actor } from '../../services/actor';
import type { LocalStore } from '../open';
import { decodeCursor, encodeCursor } from './cursor';
import { ORDER_LIST_COLUMNS, rowToOrderListRow, type OrderListDbRow } from './mappers';
import { ftsMatchExpression } from './text';

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
/** Statuses whose unpaid, uncredited amount the clinic is still owed (a draft is not claimed yet; a cancelled, rejected or credited order is not owed). */
const RECEIVABLE = new Set<string>(['invoiced', 'overdue', 'installments', 'paid', 'completed']);

export interface QueryOptions {
  /** The calendar day "overdue" is measured against (default: today in Stockholm). */
  readonly today?: string;
}

/** The WHERE conditions of a filter; shared by the list and the summary so they always agree. */
function filterConditions(actor: Actor, f: OrderFilter, today: string): RawBuilder<unknown>[] {
  const c: RawBuilder<unknown>[] = [sql`clinic_id = ${actor.clinicId}`];
  if (f.statuses.length > 0) c.push(sql`status IN (${sql.join([...new Set(f.statuses)])})`);
  if (f.created?.from) c.push(sql`created_at >= ${f.created.from}`);
  // created_at is an instant; the inclusive end date means "before the next day starts".
  if (f.created?.to) c.push(sql`created_at < ${addDays(f.created.to, 1)}`);
  for (const [range, col] of [[f.due, 'due_date'], [f.paid, 'paid_date']] as const) {
    if (!range) continue;
    // '0' > '' keeps undated rows out of any date range, through the same expression index.
    c.push(sql`ifnull(${sql.ref(col)}, '') >= ${range.from ?? '0'}`);
    if (range.to) c.push(sql`ifnull(${sql.ref(col)}, '') <= ${range.to}`);
  }
  if (f.amount?.min != null) c.push(sql`total >= ${f.amount.min}`);
  if (f.amount?.max != null) c.push(sql`total <= ${f.amount.max}`);
  if (f.staffUserId) c.push(sql`created_by_user_id = ${f.staffUserId}`);
  if (f.clinician) c.push(sql`clinician = ${f.clinician}`);
  if (f.paymentKind) c.push(sql`payment_kind = ${f.paymentKind}`);
  if (f.patientId) c.push(sql`patient_id = ${f.patientId}`);
  // Same predicate as the partial index orders_open_due, so overdue-only is an index range.
  if (f.overdueOnly) c.push(sql`status IN (${sql.join(OPEN_STATUSES)}) AND due_date < ${today}`);
  const match = ftsMatchExpression(f.search);
  if (match) c.push(sql`local_id IN (SELECT rowid FROM orders_fts WHERE orders_fts MATCH ${match})`);
  return c;
}

export async function listOrders(store: LocalStore, actor: Actor, input: OrderListQueryInput | unknown, options: QueryOptions = {}): Promise<ServiceResult<OrderPage>> {
  const parsed = parseInput(OrderListQuery, input);
  if (!parsed.ok) return parsed;
  const q = parsed.value;
  const conds = filterConditions(actor, q, options.today ?? todayIn());
  const key = sql.raw(SORT_SQL[q.sort]);
  const dir = sql.raw(q.direction === 'asc' ? 'ASC' : 'DESC');
  if (q.cursor !== null) {
    const c = decodeCursor(q.cursor, q.sort, q.direction);
    if (!c) return { ok: false, error: serviceError('validation', 'cursor: does not belong to this sort; start from the first page', 'cursor') };
    conds.push(q.direction === 'asc' ? sql`(${key}, local_id) > (${c.k}, ${c.i})` : sql`(${key}, local_id) < (${c.k}, ${c.i})`);
  }
  const columns = sql.raw([...ORDER_LIST_COLUMNS, 'patient_sort'].join(', '));
  const { rows } = await sql<OrderListDbRow & { patient_sort: string }>`
    SELECT ${columns} FROM orders
    WHERE ${sql.join(conds, sql` AND `)}
    ORDER BY ${key} ${dir}, local_id ${dir}
    LIMIT ${q.limit + 1}`.execute(store.db);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > q.limit && last ? encodeCursor({ s: q.sort, d: q.direction, k: SORT_KEY_OF[q.sort](last), i: last.local_id }) : null;
  return { ok: true, value: { rows: page.map(rowToOrderListRow), nextCursor } };
}

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
    const conds = filterConditions(actor, f, options.today ?? todayIn());
    rows = (
      await sql<(typeof rows)[number]>`
        SELECT status, count(*) AS order_count, sum(total) AS total_sum, sum(paid_total) AS paid_sum, sum(credited_total) AS credited_sum
        FROM orders WHERE ${sql.join(conds, sql` AND `)} GROUP BY status`.execute(store.db)
    ).rows;
  }
  const byStatus: StatusTotals[] = rows
    .map((r) => ({
      status: r.status as OrderStatus,
      count: Number(r.order_count),
      total: Number(r.total_sum),
      paid: Number(r.paid_sum),
      credited: Number(r.credited_sum),
      outstanding: RECEIVABLE.has(r.status) ? Number(r.total_sum) - Number(r.paid_sum) - Number(r.credited_sum) : 0,
    }))
    .sort((a, b) => a.status.localeCompare(b.status));
  return {
    ok: true,
    value: {
      byStatus,
      count: byStatus.reduce((a, s) => a + s.count, 0),
      total: byStatus.reduce((a, s) => a + s.total, 0),
      outstanding: byStatus.reduce((a, s) => a + s.outstanding, 0),
    },
  };
}
