import { randomUUID } from 'node:crypto';
import { allowedEvents, orderFacts } from '../../src-shared/domain/order-state';
import type { Invoice, MoneyEvent, Order, Patient } from '../../src-shared/schemas/entities';
import {
  CancellationRequestNotice, type CancellationRequestInput, type ConsoleOrderDetail, type ConsoleOrderPage, type ConsoleOrderQuery, type ConsoleOrderRow,
} from '../../src-shared/schemas/console';
import type { ServerDb } from '../db/connect';
import { inClinicTransaction } from '../sync/transact';
import { appendServerActivity } from '../accounts/activity';
import { refuse } from '../accounts/errors';
import { requirePermission, type Actor } from '../accounts/manage';
import { accountsDb } from '../accounts/schema';

type Doc<T> = T & Record<string, unknown>;

const OPEN_STATUSES = new Set(['invoiced', 'overdue']);
const collator = new Intl.Collator('sv', { sensitivity: 'base', numeric: true });

/** Words of the searchable text, like the desk's FTS index: names, numbers, digit runs. */
function words(text: string): string[] {
  return text.normalize('NFC').toLocaleLowerCase('sv').split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/**
 * The desk's search semantics without FTS: every token must start some word of the order's text
 * (order number, patient name, personnummer, phone, invoice number, clinician); an all-digits query
 * typed with separators also matches as one digit run ("19800101-1234").
 */
function matcher(search: string): ((haystack: string[]) => boolean) | null {
  const tokens = words(search).slice(0, 8);
  if (tokens.length === 0) return null;
  const digitsOnly = /^[\d\s+\-–./()]+$/.test(search.trim());
  const joined = search.replace(/\D/g, '');
  return (hay) => tokens.every((t) => hay.some((w) => w.startsWith(t))) || (digitsOnly && joined.length > 0 && hay.some((w) => w.startsWith(joined)));
}

interface Loaded {
  row: ConsoleOrderRow;
  hay: string[];
  sortName: string;
}

async function loadDocs<T>(sdb: ServerDb, entity: string, clinicId: string | null): Promise<{ clinic_id: string; doc: Doc<T> }[]> {
  let q = sdb.db.selectFrom('entities').select(['clinic_id', 'data']).where('entity', '=', entity);
  if (clinicId) q = q.where('clinic_id', '=', clinicId);
  return (await q.execute()).map((r) => ({ clinic_id: r.clinic_id, doc: JSON.parse(r.data) as Doc<T> }));
}

/**
 * Orders across clinics with the desk's filters and sorts. The server keeps each order as a JSON
 * document, so this reads the documents of the selected clinics and filters in memory: fine for
 * a console over tens of thousands of orders; a per-column projection table is the next step if
 * the service outgrows it (noted in src-server/accounts/README.md).
 */
export async function searchOrders(sdb: ServerDb, actor: Actor, q: ConsoleOrderQuery, today = new Date().toISOString().slice(0, 10)): Promise<ConsoleOrderPage> {
  requirePermission(actor, 'orders.read_all_clinics');
  const [clinics, orders, patients, invoices, money] = await Promise.all([
    sdb.db.selectFrom('clinics').select(['id', 'name']).execute(),
    loadDocs<Order>(sdb, 'order', q.clinicId),
    loadDocs<Patient>(sdb, 'patient', q.clinicId),
    loadDocs<Invoice>(sdb, 'invoice', q.clinicId),
    loadDocs<MoneyEvent>(sdb, 'money_event', q.clinicId),
  ]);
  const clinicName = new Map(clinics.map((c) => [c.id, c.name]));
  const patientOf = new Map(patients.map((p) => [`${p.clinic_id}:${p.doc.id}`, p.doc]));
  const invoiceOf = new Map<string, Invoice>();
  for (const i of invoices) invoiceOf.set(`${i.clinic_id}:${i.doc.orderId}`, i.doc);
  const paidAt = new Map<string, string>();
  for (const m of money) {
    if (m.doc.kind !== 'payment' && m.doc.kind !== 'installment_payment') continue;
    const k = `${m.clinic_id}:${m.doc.orderId}`;
    if ((paidAt.get(k) ?? '') < m.doc.at) paidAt.set(k, m.doc.at);
  }
  const match = matcher(q.search);
  const statuses = new Set(q.statuses);
  const inRange = (v: string | null, r: { from: string | null; to: string | null } | null) => !r || (v !== null && (!r.from || v >= r.from) && (!r.to || v <= r.to));

  const loaded: Loaded[] = [];
  for (const { clinic_id, doc: o } of orders) {
    const p = patientOf.get(`${clinic_id}:${o.patientId}`);
    const inv = invoiceOf.get(`${clinic_id}:${o.id}`) ?? null;
    const paidDate = o.paidTotal > 0 && (o.status === 'paid' || o.status === 'completed') ? (paidAt.get(`${clinic_id}:${o.id}`) ?? o.updatedAt).slice(0, 10) : null;
    const row: ConsoleOrderRow = {
      id: o.id, orderNumber: o.orderNumber, patientId: o.patientId, clinician: o.clinician, createdByUserId: o.createdByUserId, status: o.status, statusReason: o.statusReason,
      paymentOption: o.paymentOption, total: o.total, vatTotal: o.vatTotal, creditedTotal: o.creditedTotal, paidTotal: o.paidTotal, createdAt: o.createdAt, updatedAt: o.updatedAt,
      patientName: p ? `${p.firstName} ${p.lastName}` : '', personnummer: p?.personnummer ?? '', phone: p?.phone ?? null,
      invoiceNumber: inv?.invoiceNumber ?? null, issueDate: inv?.issueDate ?? null, dueDate: inv?.dueDate ?? null, paidDate,
      balance: o.total - o.paidTotal - o.creditedTotal, clinicId: clinic_id, clinicName: clinicName.get(clinic_id) ?? '',
    };
    if (statuses.size > 0 && !statuses.has(row.status)) continue;
    if (q.created && !inRange(row.createdAt.slice(0, 10), q.created)) continue;
    if (q.due && !inRange(row.dueDate, q.due)) continue;
    if (q.paid && !inRange(row.paidDate, q.paid)) continue;
    if (q.amount && ((q.amount.min !== null && row.total < q.amount.min) || (q.amount.max !== null && row.total > q.amount.max))) continue;
    if (q.staffUserId && row.createdByUserId !== q.staffUserId) continue;
    if (q.clinician && row.clinician !== q.clinician) continue;
    if (q.paymentKind && row.paymentOption?.kind !== q.paymentKind) continue;
    if (q.patientId && row.patientId !== q.patientId) continue;
    if (q.overdueOnly && !(OPEN_STATUSES.has(row.status) && row.dueDate !== null && row.dueDate < today)) continue;
    const hay = words([row.orderNumber, row.patientName, row.personnummer, row.phone ?? '', row.invoiceNumber ?? '', row.clinician ?? ''].join(' '));
    if (match && !match(hay)) continue;
    loaded.push({ row, hay, sortName: p ? `${p.lastName} ${p.firstName}` : '' });
  }

  const key = (l: Loaded): string | number | null => {
    switch (q.sort) {
      case 'createdAt': return l.row.createdAt;
      case 'orderNumber': return l.row.orderNumber;
      case 'patientName': return l.sortName;
      case 'total': return l.row.total;
      case 'status': return l.row.status;
      case 'dueDate': return l.row.dueDate;
      case 'paidDate': return l.row.paidDate;
    }
  };
  const dir = q.direction === 'asc' ? 1 : -1;
  loaded.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    let c = 0;
    // Undated rows sort last either way, like the desk.
    if (ka === null || kb === null) c = ka === kb ? 0 : ka === null ? 1 : -1;
    else c = dir * (typeof ka === 'number' && typeof kb === 'number' ? ka - kb : collator.compare(String(ka), String(kb)));
    return c !== 0 ? c : dir * (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0);
  });
  return { rows: loaded.slice(q.offset, q.offset + q.limit).map((l) => l.row), total: loaded.length, offset: q.offset };
}

async function entity<T>(sdb: ServerDb, clinicId: string, name: string, id: string): Promise<T | null> {
  const r = await sdb.db.selectFrom('entities').select('data').where('clinic_id', '=', clinicId).where('entity', '=', name).where('id', '=', id).executeTakeFirst();
  return r ? (JSON.parse(r.data) as T) : null;
}

export async function orderDetail(sdb: ServerDb, actor: Actor, clinicId: string, orderId: string): Promise<ConsoleOrderDetail> {
  requirePermission(actor, 'orders.read_all_clinics');
  const order = await entity<Order>(sdb, clinicId, 'order', orderId);
  if (!order) throw refuse(404, 'unknown_order', 'This order does not exist in this clinic.', 'orderId');
  const clinic = await sdb.db.selectFrom('clinics').select('name').where('id', '=', clinicId).executeTakeFirstOrThrow();
  const docs = async <T>(name: string) =>
    (await sdb.db.selectFrom('entities').select('data').where('clinic_id', '=', clinicId).where('entity', '=', name).execute()).map((r) => JSON.parse(r.data) as T);
  const [invoices, money, notices] = await Promise.all([docs<Invoice>('invoice'), docs<MoneyEvent>('money_event'), docs<Record<string, unknown>>('notice')]);
  const requests = notices.flatMap((n) => {
    const p = CancellationRequestNotice.safeParse(n);
    return p.success && p.data.orderId === orderId ? [p.data] : [];
  });
  return {
    clinicId, clinicName: clinic.name, order, patient: await entity<Patient>(sdb, clinicId, 'patient', order.patientId),
    invoices: invoices.filter((i) => i.orderId === orderId), moneyEvents: money.filter((m) => m.orderId === orderId).sort((a, b) => a.at.localeCompare(b.at)),
    cancellationRequests: requests.sort((a, b) => a.at.localeCompare(b.at)),
    cancellable: allowedEvents(order.status, orderFacts(order)).includes('cancelled'),
  };
}

/**
 * Asks the clinic to cancel an order: a `notice` on the clinic's change feed (every desk of the
 * clinic pulls it), plus an activity record, in one transaction. The console does not move the
 * order itself: cancelling touches money and the provider, which the desk does through its jobs.
 */
export async function requestCancellation(sdb: ServerDb, actor: Actor, clinicId: string, orderId: string, input: CancellationRequestInput): Promise<CancellationRequestNotice> {
  requirePermission(actor, 'orders.request_cancellation');
  const requester = await accountsDb(sdb.db).selectFrom('users').select('display_name').where('id', '=', actor.userId).executeTakeFirstOrThrow();
  const { value } = await inClinicTransaction(sdb, clinicId, async (w, trx, now) => {
    const doc = await w.get('order', orderId);
    if (!doc) throw refuse(404, 'unknown_order', 'This order does not exist in this clinic.', 'orderId');
    const order = doc as unknown as Order;
    if (!allowedEvents(order.status, orderFacts(order)).includes('cancelled')) {
      throw refuse(409, 'not_cancellable', `Order ${order.orderNumber} is ${order.status}: it can no longer be cancelled (credit it instead).`, 'orderId');
    }
    const notice: CancellationRequestNotice = {
      kind: 'cancellation_requested', id: randomUUID(), orderId, orderNumber: order.orderNumber, reason: input.reason, note: input.note,
      requestedByUserId: actor.userId, requestedByName: requester.display_name, at: now,
      message: `The system administrator ${requester.display_name} asks the clinic to cancel order ${order.orderNumber} (${input.reason}${input.note ? `: ${input.note}` : ''}).`,
    };
    w.put('notice', notice.id, notice, null);
    await appendServerActivity(sdb, {
      clinicId, actorUserId: actor.userId, action: 'order.cancellation_request', subject: `order:${orderId}`, outcome: 'ok', country: null, ip: actor.ip,
      details: { reason: input.reason, orderNumber: order.orderNumber },
    }, accountsDb(trx));
    return notice;
  });
  return value;
}
