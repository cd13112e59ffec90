import { sql, type RawBuilder } from 'kysely';
import { addDays, todayIn } from '../../src-shared/domain/dates';
import { patientDisplayName } from '../../src-shared/domain/text-keys';
import { startOfDayIn } from '../../src-shared/domain/zone';
import type { ConsoleOrderPage, ConsoleOrderQuery, ConsoleOrderRow } from '../../src-shared/schemas/console';
import type { Order, Patient } from '../../src-shared/schemas/entities';
import type { OrderStatus } from '../../src-shared/schemas/enums';
import { summarizeByStatus, type OrderSortColumn } from '../../src-shared/schemas/queries';
import type { ServerDb } from '../db/connect';
import { refuse } from '../accounts/errors';
import { requirePermission, type Actor } from '../accounts/manage';
import { decodeOrderCursor, encodeOrderCursor } from './order-cursor';
import { searchWords } from './order-projection';
import { consoleProjector } from './projector';

/**
 * The system administrator's order search across clinics, in SQL over the console projection
 * (console_orders joined to console_patients, migration 005) with the desk's filters and sorts.
 * Pages are keyset: ORDER BY the sort key, then (clinic_id, id) as the tie-breaker, and the next
 * page starts strictly after the last row's (key, clinic_id, id), so rows are never skipped or
 * repeated however deep the page. Only the page's rows are read from the JSON documents.
 *
 * Nullable dates sort through coalesce(col, '') like the desk's ifnull: undated rows come first
 * ascending and last descending, and the key is never null (a row value with a null in it would
 * compare as unknown and drop rows from the next page).
 */
const SORT_SQL: Record<OrderSortColumn, RawBuilder<unknown>> = {
  createdAt: sql`co.created_at`,
  orderNumber: sql`co.order_number`,
  patientName: sql`coalesce(cp.sort_name, '')`,
  total: sql`co.total`,
  status: sql`co.status`,
  dueDate: sql`coalesce(co.due_date, '')`,
  paidDate: sql`coalesce(co.paid_date, '')`,
};

const OPEN_STATUSES: OrderStatus[] = ['invoiced', 'overdue'];
const MAX_TOKENS = 8;
const MAX_TOKEN_LENGTH = 40;

/** Everything a word of the order's text may start: order number, clinician, invoice number, patient. */
const HAYSTACK = sql`(co.search || co.invoice_search || coalesce(cp.search, ''))`;
const wordStart = (token: string) => sql`${HAYSTACK} LIKE ${`% ${token}%`}`;

/**
 * The desk's search semantics: every token must start some word (names, numbers, digit runs); an
 * all-digits query typed with separators ("19800101-1234", "070-123 45 67") also matches as one
 * digit run. Tokens are letters and digits only, so LIKE's % and _ never come from the input.
 */
function searchCondition(search: string): RawBuilder<unknown> | null {
  const tokens = searchWords(search).slice(0, MAX_TOKENS).map((t) => t.slice(0, MAX_TOKEN_LENGTH));
  if (tokens.length === 0) return null;
  const all = sql`(${sql.join(tokens.map(wordStart), sql` AND `)})`;
  const joined = search.replace(/\D/g, '').slice(0, MAX_TOKEN_LENGTH);
  if (tokens.length > 1 && joined.length > 0 && /^[\d\s+\-–./()]+$/.test(search.trim())) return sql`(${all} OR ${wordStart(joined)})`;
  return all;
}

/** The WHERE conditions of a query; shared by the page and the per-status summary so they agree. */
function filterConditions(q: ConsoleOrderQuery, today: string): RawBuilder<unknown>[] {
  const c: RawBuilder<unknown>[] = [];
  if (q.clinicId) c.push(sql`co.clinic_id = ${q.clinicId}`);
  const statuses = [...new Set(q.statuses)];
  if (statuses.length > 0) c.push(sql`co.status IN (${sql.join(statuses)})`);
  // created_at is a UTC instant; the dates are Stockholm calendar days, as at the desk, and the
  // inclusive end means "before the next Stockholm day starts".
  if (q.created?.from) c.push(sql`co.created_at >= ${startOfDayIn(q.created.from)}`);
  if (q.created?.to) c.push(sql`co.created_at < ${startOfDayIn(addDays(q.created.to, 1))}`);
  // '0' > any missing date (NULL compares as unknown): undated rows are never in a date range.
  if (q.due) c.push(sql`co.due_date >= ${q.due.from ?? '0'}`);
  if (q.due?.to) c.push(sql`co.due_date <= ${q.due.to}`);
  if (q.paid) c.push(sql`co.paid_date >= ${q.paid.from ?? '0'}`);
  if (q.paid?.to) c.push(sql`co.paid_date <= ${q.paid.to}`);
  if (q.amount?.min != null) c.push(sql`co.total >= ${q.amount.min}`);
  if (q.amount?.max != null) c.push(sql`co.total <= ${q.amount.max}`);
  if (q.staffUserId) c.push(sql`co.created_by_user_id = ${q.staffUserId}`);
  if (q.clinician) c.push(sql`co.clinician = ${q.clinician}`);
  if (q.paymentKind) c.push(sql`co.payment_kind = ${q.paymentKind}`);
  if (q.patientId) c.push(sql`co.patient_id = ${q.patientId}`);
  if (q.overdueOnly) c.push(sql`co.status IN (${sql.join(OPEN_STATUSES)}) AND co.due_date < ${today}`);
  const search = searchCondition(q.search);
  if (search) c.push(search);
  return c;
}

const FROM = sql`console_orders co LEFT JOIN console_patients cp ON cp.clinic_id = co.clinic_id AND cp.id = co.patient_id`;
const whereOf = (conds: RawBuilder<unknown>[]) => (conds.length > 0 ? sql.join(conds, sql` AND `) : sql`1 = 1`);

interface PageRow {
  clinic_id: string;
  id: string;
  patient_id: string;
  paid_date: string | null;
  invoice_number: string | null;
  issue_date: string | null;
  due_date: string | null;
  sort_key: string | number;
}

export async function searchOrders(sdb: ServerDb, actor: Actor, q: ConsoleOrderQuery, today = todayIn()): Promise<ConsoleOrderPage> {
  requirePermission(actor, 'orders.read_all_clinics');
  // Answer from the feed as committed now, including what the console itself just caused.
  await consoleProjector(sdb).forSearch();
  const cursor = q.cursor === null ? null : decodeOrderCursor(q.cursor, q.sort, q.direction);
  if (q.cursor !== null && (cursor === null || typeof cursor.k !== (q.sort === 'total' ? 'number' : 'string'))) {
    throw refuse(400, 'invalid_request', 'body.cursor: does not belong to this sort; start from the first page', 'body.cursor');
  }
  const conds = filterConditions(q, today);
  const key = SORT_SQL[q.sort];
  const dir = sql.raw(q.direction === 'asc' ? 'ASC' : 'DESC');
  const after = cursor === null ? [] : [q.direction === 'asc' ? sql`(${key}, co.clinic_id, co.id) > (${cursor.k}, ${cursor.c}, ${cursor.i})` : sql`(${key}, co.clinic_id, co.id) < (${cursor.k}, ${cursor.c}, ${cursor.i})`];
  const { rows } = await sql<PageRow>`
    SELECT co.clinic_id, co.id, co.patient_id, co.paid_date, co.invoice_number, co.issue_date, co.due_date, ${key} AS sort_key
    FROM ${FROM}
    WHERE ${whereOf([...conds, ...after])}
    ORDER BY ${key} ${dir}, co.clinic_id ${dir}, co.id ${dir}
    LIMIT ${q.limit + 1}`.execute(sdb.db);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > q.limit && last
    ? encodeOrderCursor({ s: q.sort, d: q.direction, k: q.sort === 'total' ? Number(last.sort_key) : String(last.sort_key), c: last.clinic_id, i: last.id })
    : null;
  return { rows: await pageRows(sdb, page), nextCursor, summary: cursor === null ? await summary(sdb, conds) : null };
}

/** Counts and sums per status over the whole filtered set (the first page's header). */
async function summary(sdb: ServerDb, conds: RawBuilder<unknown>[]) {
  const { rows } = await sql<{ status: OrderStatus; n: number | string; total_sum: number | string; paid_sum: number | string; credited_sum: number | string }>`
    SELECT co.status AS status, count(*) AS n, sum(co.total) AS total_sum, sum(co.paid_total) AS paid_sum, sum(co.credited_total) AS credited_sum
    FROM ${FROM} WHERE ${whereOf(conds)} GROUP BY co.status`.execute(sdb.db);
  // PostgreSQL's sum(bigint) is numeric, which pg hands over as text.
  return summarizeByStatus(rows.map((r) => ({ status: r.status, count: Number(r.n), total: Number(r.total_sum), paid: Number(r.paid_sum), credited: Number(r.credited_sum) })));
}

/** The page's rows as the list shows them, from the order and patient documents (one query). */
async function pageRows(sdb: ServerDb, page: PageRow[]): Promise<ConsoleOrderRow[]> {
  if (page.length === 0) return [];
  const clinicIds = [...new Set(page.map((r) => r.clinic_id))];
  const [docs, clinics] = await Promise.all([
    sdb.db
      .selectFrom('entity_docs')
      .select(['clinic_id', 'entity', 'id', 'data'])
      .where('clinic_id', 'in', clinicIds)
      .where((eb) => eb.or([eb.and([eb('entity', '=', 'order'), eb('id', 'in', page.map((r) => r.id))]), eb.and([eb('entity', '=', 'patient'), eb('id', 'in', page.map((r) => r.patient_id))])]))
      .execute(),
    sdb.db.selectFrom('clinics').select(['id', 'name']).where('id', 'in', clinicIds).execute(),
  ]);
  const doc = new Map(docs.map((d) => [`${d.clinic_id}:${d.entity}:${d.id}`, d.data]));
  const clinicName = new Map(clinics.map((c) => [c.id, c.name]));
  return page.flatMap((r) => {
    const orderJson = doc.get(`${r.clinic_id}:order:${r.id}`);
    if (!orderJson) return [];
    const o = JSON.parse(orderJson) as Order;
    const patientJson = doc.get(`${r.clinic_id}:patient:${r.patient_id}`);
    const p = patientJson ? (JSON.parse(patientJson) as Patient) : null;
    return [{
      id: o.id, orderNumber: o.orderNumber, patientId: o.patientId, clinician: o.clinician, createdByUserId: o.createdByUserId, status: o.status, statusReason: o.statusReason,
      paymentOption: o.paymentOption, total: o.total, vatTotal: o.vatTotal, creditedTotal: o.creditedTotal, paidTotal: o.paidTotal, createdAt: o.createdAt, updatedAt: o.updatedAt,
      patientName: p ? patientDisplayName(p.firstName, p.lastName) : '', personnummer: p?.personnummer ?? '', phone: p?.phone ?? null,
      invoiceNumber: r.invoice_number, issueDate: r.issue_date, dueDate: r.due_date, paidDate: r.paid_date,
      balance: o.total - o.paidTotal - o.creditedTotal, clinicId: r.clinic_id, clinicName: clinicName.get(r.clinic_id) ?? '',
    }];
  });
}
