import { randomBytes, randomUUID } from 'node:crypto';
import {
  ApiError, type ArSummary, type JobView, type OrderRow, type OrdersFilter, type PaymentOptionView, type PendingFacts, type SmsView, type TimelineEntry,
} from '../../../src-shared/api';
import { buildPlan, invoice14 } from '../../../src-shared/domain/installments';
import { todayIn } from '../../../src-shared/domain/dates';
import { allowedEvents } from '../../../src-shared/domain/order-state';
import type { Order, Patient } from '../../../src-shared/schemas/entities';
import { StatusReason, type OrderStatus, type PaymentOption } from '../../../src-shared/schemas/enums';
import type { OrderListQueryInput, OrderListRow, OrderSummary } from '../../../src-shared/schemas/queries';
import { SmsTemplateKey } from '../../../src-shared/schemas/providers';
import { listOrders, orderSummary } from '../../db/queries/orders';
import { listJobs } from '../../jobs/queue';
import type { Actor } from '../../services/actor';
import { getInvoiceForOrder, issueInvoice } from '../../services/invoices';
import { cancelOrder, createOrder, creditOrder, getMoneyEvents, getOrder, updateDraftOrder } from '../../services/orders';
import { getPatient } from '../../services/patients';
import { touchedEntities } from '../../sync/touched';
import { actorOf, feedEntities, type CoreDeps } from '../deps';
import type { Handlers } from '../dispatch';
import { notFound, unwrapService } from '../errors';
import { ordersCsv } from '../csv';
import { invoicePdf } from '../invoice-pdf';
import { afterCancel, afterCredit, afterIssue } from '../provider-flow';
import { centralSettings, installmentOffer } from '../service-settings';

const RECEIVABLE_STATUSES: ReadonlySet<string> = new Set(['invoiced', 'overdue', 'installments', 'paid', 'completed', 'credited']);

/** Which orders have unsynced or rejected local changes, and which wait on a provider. */
function pendingFacts(deps: CoreDeps): (orderId: string) => PendingFacts {
  const outbox = deps.store.sqlite.prepare(`SELECT name, payload, status FROM outbox WHERE status IN ('pending','in_flight','rejected')`).all() as { name: string; payload: string; status: string }[];
  const sync = new Map<string, 'pending' | 'rejected'>();
  for (const m of outbox) {
    for (const t of touchedEntities(m.name, JSON.parse(m.payload) as unknown)) {
      if (t.entity !== 'order') continue;
      if (m.status === 'rejected' || !sync.has(t.id)) sync.set(t.id, m.status === 'rejected' ? 'rejected' : 'pending');
    }
  }
  const jobs = deps.store.sqlite
    .prepare(`SELECT subject, status FROM job WHERE subject LIKE 'order:%' AND status IN ('pending','in_flight','failed','dead')`)
    .all() as { subject: string; status: string }[];
  const provider = new Map<string, PendingFacts['provider']>();
  const rank = { none: 0, pending: 1, failed: 2, dead: 3 } as const;
  for (const j of jobs) {
    const id = j.subject.slice('order:'.length);
    const v: PendingFacts['provider'] = j.status === 'dead' ? 'dead' : j.status === 'failed' ? 'failed' : 'pending';
    if (rank[v] > rank[provider.get(id) ?? 'none']) provider.set(id, v);
  }
  return (id) => ({ sync: sync.get(id) ?? 'synced', provider: provider.get(id) ?? 'none' });
}

function toOrderRow(r: OrderListRow, facts: (id: string) => PendingFacts): OrderRow {
  return {
    id: r.id, orderNumber: r.orderNumber, patientId: r.patientId, clinician: r.clinician, status: r.status, statusReason: r.statusReason,
    paymentOption: r.paymentOption, total: r.total, creditedTotal: r.creditedTotal, paidTotal: r.paidTotal, createdAt: r.createdAt, updatedAt: r.updatedAt,
    patientName: r.patientName, personnummer: r.personnummer, invoiceNumber: r.invoiceNumber, dueDate: r.dueDate,
    // A draft is not claimed yet and a cancelled or rejected order is not owed: nothing to pay.
    balance: RECEIVABLE_STATUSES.has(r.status) ? r.balance : 0,
    pending: facts(r.id),
  };
}

export async function orderPage(deps: CoreDeps, actor: Actor, query: OrderListQueryInput): Promise<{ rows: OrderRow[]; nextCursor: string | null }> {
  const page = unwrapService(await listOrders(deps.store, actor, query));
  const facts = pendingFacts(deps);
  return { rows: page.rows.map((r) => toOrderRow(r, facts)), nextCursor: page.nextCursor };
}

export async function orderRows(deps: CoreDeps, actor: Actor, query: OrderListQueryInput): Promise<OrderRow[]> {
  return (await orderPage(deps, actor, query)).rows;
}

function filterOf(f: OrdersFilter) {
  const { sort: _s, direction: _d, ...filter } = f;
  return filter;
}

export function arSummary(s: OrderSummary): ArSummary {
  const of = (status: OrderStatus) => s.byStatus.find((b) => b.status === status);
  return {
    count: s.count,
    total: s.byStatus.filter((b) => b.status !== 'draft' && b.status !== 'cancelled').reduce((a, b) => a + b.total, 0),
    outstanding: s.outstanding,
    overdue: of('overdue')?.outstanding ?? 0,
    overdueCount: of('overdue')?.count ?? 0,
    installments: of('installments')?.outstanding ?? 0,
    paid: s.byStatus.reduce((a, b) => a + b.paid, 0),
  };
}

/** Order numbers are Paynova's idempotency key: unique, 4–50 of A–Z, 0–9 and "-". */
function newOrderNumber(): string {
  const day = todayIn().replaceAll('-', '');
  return `K${day}-${randomBytes(5).toString('hex').toUpperCase()}`;
}

/** What the issue dialog offers: invoice (14 days) and the installment terms the service offers now. */
function paymentOptions(principal: number, today: string, offer: ReturnType<typeof installmentOffer>): PaymentOptionView[] {
  const free = invoice14(principal, today);
  const out: PaymentOptionView[] = [
    {
      option: { kind: 'invoice14' }, months: 0, monthlyAmount: free.total, totalPayable: free.total, creditCost: 0, effectiveAnnualRate: 0,
      annualInterestBp: 0, setupFee: 0, monthlyFee: 0, creditCheck: false,
    },
  ];
  for (const months of offer.months) {
    const terms = offer.terms(months);
    const plan = buildPlan({ principal, months, ...terms, startDate: today });
    if (!plan.ok) continue;
    out.push({
      option: { kind: 'installments', months }, months, monthlyAmount: plan.value.monthlyAmount, totalPayable: plan.value.totalPayable,
      creditCost: plan.value.totalCost, effectiveAnnualRate: plan.value.effectiveAnnualRate, annualInterestBp: terms.annualInterestBp,
      setupFee: terms.setupFee, monthlyFee: terms.monthlyFee, creditCheck: true,
    });
  }
  return out;
}

/** Display names of the clinic's users, as the feed carried them. */
export function userNames(deps: CoreDeps): Map<string, string> {
  const m = new Map<string, string>();
  for (const u of feedEntities(deps, 'user')) if (typeof u.id === 'string' && typeof u.displayName === 'string') m.set(u.id, u.displayName);
  return m;
}

async function timeline(deps: CoreDeps, order: Order, jobs: readonly JobView[]): Promise<TimelineEntry[]> {
  const who = userNames(deps);
  const rows = await deps.store.db.selectFrom('activity').selectAll().where('subject', '=', `order:${order.id}`).orderBy('at').orderBy('seq').execute();
  const out: TimelineEntry[] = [];
  const reason = (v: unknown) => StatusReason.catch('none').parse(v);
  for (const r of rows) {
    const d = JSON.parse(r.details) as Record<string, unknown>;
    const base = { at: r.at, note: null, actor: r.actor_user_id ? (who.get(r.actor_user_id) ?? null) : null, amount: null };
    if (r.action === 'order.create') out.push({ ...base, status: 'draft', event: 'created', reason: 'none' });
    else if (r.action === 'invoice.issue') out.push({ ...base, status: 'invoiced', event: 'issued', reason: 'none', amount: typeof d.total === 'number' ? d.total : null });
    else if (r.action === 'order.cancel') out.push({ ...base, status: 'cancelled', event: 'cancelled', reason: reason(d.reason) });
    else if (r.action === 'order.credit') out.push({ ...base, status: typeof d.to === 'string' && d.to === 'credited' ? 'credited' : null, event: 'credited', reason: reason(d.reason), amount: typeof d.amount === 'number' ? d.amount : null });
    else if (r.action === 'order.update_draft') out.push({ ...base, status: null, event: 'edited', reason: 'none' });
  }
  for (const e of await getMoneyEvents(deps.store, { clinicId: order.clinicId } as Actor, order.id)) {
    if (e.source === 'desk') continue; // already in the activity records above
    out.push({ at: e.at, status: null, event: e.kind, reason: e.reason, note: e.note, actor: null, amount: e.amount });
  }
  for (const j of jobs) {
    if (j.status === 'failed' || j.status === 'dead') {
      out.push({ at: j.updatedAt, status: null, event: `${j.kind}.${j.status}`.slice(0, 64), reason: j.lastErrorCode === 'paynova.credit_check_refused' ? 'credit_check_refused' : 'provider_error', note: j.lastError?.slice(0, 500) ?? null, actor: null, amount: null });
    }
  }
  if (order.status !== 'draft' && order.statusReason !== 'none' && !out.some((e) => e.status === order.status)) {
    out.push({ at: order.updatedAt, status: order.status, event: 'status', reason: order.statusReason, note: null, actor: null, amount: null });
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}

function smsFor(deps: CoreDeps, orderId: string): SmsView[] {
  const rows = deps.store.sqlite
    .prepare(
      `SELECT s.sid, s.status, s.error_code, s.created_at, s.updated_at, j.payload FROM sms_message s LEFT JOIN job j ON j.id = s.job_id
       WHERE s.subject = ? ORDER BY s.created_at`,
    )
    .all(`order:${orderId}`) as { sid: string; status: string; error_code: number | null; created_at: string; updated_at: string; payload: string | null }[];
  const queued = deps.store.sqlite
    .prepare(`SELECT id, status, payload, created_at, updated_at, last_error_code FROM job WHERE kind = 'sms.send' AND subject = ? AND id NOT IN (SELECT job_id FROM sms_message)`)
    .all(`order:${orderId}`) as { id: string; status: string; payload: string; created_at: string; updated_at: string; last_error_code: string | null }[];
  const payloadOf = (p: string | null) => (p ? (JSON.parse(p) as { to?: string; template?: string }) : {});
  const out: SmsView[] = rows.map((r) => ({
    id: r.sid, status: r.status as SmsView['status'], errorCode: r.error_code, createdAt: r.created_at, updatedAt: r.updated_at,
    template: SmsTemplateKey.nullable().catch(null).parse(payloadOf(r.payload).template ?? null), to: payloadOf(r.payload).to ?? null,
  }));
  for (const j of queued) {
    out.push({
      id: j.id, status: j.status === 'failed' || j.status === 'dead' ? 'failed' : 'queued', errorCode: null, createdAt: j.created_at, updatedAt: j.updated_at,
      template: SmsTemplateKey.nullable().catch(null).parse(payloadOf(j.payload).template ?? null), to: payloadOf(j.payload).to ?? null,
    });
  }
  return out;
}

async function loadPatient(deps: CoreDeps, actor: Actor, id: string): Promise<Patient> {
  const p = await getPatient(deps.store, actor, id);
  if (!p) throw notFound('patient', 'patientId');
  return p;
}

export function orderHandlers(deps: CoreDeps): Pick<
  Handlers,
  'orders.list' | 'orders.summary' | 'orders.get' | 'orders.create' | 'orders.updateDraft' | 'orders.paymentOptions' | 'orders.issueInvoice' | 'orders.cancel' | 'orders.credit' | 'orders.exportCsv' | 'orders.invoicePdf' | 'priceList.list'
> {
  return {
    'priceList.list': async (_input, ctx) => {
      const actor = actorOf(deps, ctx.session);
      const rows = await deps.store.db.selectFrom('price_items').selectAll().where('clinic_id', '=', actor.clinicId).where('active', '=', 1).orderBy('code').execute();
      return rows.map((r) => ({ id: r.id, clinicId: r.clinic_id, code: r.code, name: r.name, unitPrice: r.unit_price, vatCode: r.vat_code as 'exempt', active: r.active === 1 }));
    },
    'orders.list': async (input, ctx) => {
      const actor = actorOf(deps, ctx.session);
      const { cursor, limit, withSummary, ...f } = input;
      const page = await orderPage(deps, actor, { ...filterOf(f), sort: f.sort, direction: f.direction, limit, cursor });
      const summary = withSummary ? arSummary(unwrapService(await orderSummary(deps.store, actor, filterOf(f)))) : null;
      return { ...page, summary };
    },
    'orders.summary': async (input, ctx) => arSummary(unwrapService(await orderSummary(deps.store, actorOf(deps, ctx.session), filterOf(input)))),
    'orders.get': async (input, ctx) => {
      const actor = actorOf(deps, ctx.session);
      const order = await getOrder(deps.store, actor, input.id);
      if (!order) throw notFound('order');
      const patient = await loadPatient(deps, actor, order.patientId);
      const inv = await getInvoiceForOrder(deps.store, actor, order.id);
      const jobs: JobView[] = (await listJobs(deps.store.db, { subject: `order:${order.id}` })).map((j) => ({ ...j, nextRunAt: j.nextRunAt, lastError: j.lastError }));
      const moneyEvents = await getMoneyEvents(deps.store, actor, order.id);
      const activated = order.paidTotal > 0 || moneyEvents.some((e) => e.kind === 'payment' || e.kind === 'installment_payment') || ['paid', 'installments', 'completed'].includes(order.status);
      const events = allowedEvents(order.status, { activated, creditableAmount: order.total - order.creditedTotal });
      const receivable = RECEIVABLE_STATUSES.has(order.status);
      return {
        order, patient, invoice: inv?.invoice ?? null, plan: inv?.plan ?? null, moneyEvents,
        timeline: await timeline(deps, order, jobs),
        sms: smsFor(deps, order.id),
        jobs: jobs.map(({ id, kind, subject, status, attempts, maxAttempts, nextRunAt, lastError, lastErrorCode, updatedAt }) => ({ id, kind, subject, status, attempts, maxAttempts, nextRunAt, lastError, lastErrorCode, updatedAt })),
        pending: pendingFacts(deps)(order.id),
        balance: receivable ? order.total - order.paidTotal - order.creditedTotal : 0,
        creditable: Math.max(0, order.total - order.creditedTotal),
        allowed: { edit: order.status === 'draft', issue: events.includes('issue'), cancel: events.includes('cancelled'), credit: events.includes('credited') && order.total - order.creditedTotal > 0 },
      };
    },
    'orders.create': async (input, ctx) => {
      const actor = actorOf(deps, ctx.session);
      await loadPatient(deps, actor, input.patientId);
      const r = unwrapService(
        await createOrder(deps.store, actor, { ...input, id: randomUUID(), orderNumber: newOrderNumber(), lines: input.lines.map((l) => ({ ...l, id: randomUUID() })) }),
      );
      deps.afterWrite();
      return { id: r.order.id, orderNumber: r.order.orderNumber };
    },
    'orders.updateDraft': async (input, ctx) => {
      unwrapService(await updateDraftOrder(deps.store, actorOf(deps, ctx.session), input));
      deps.afterWrite();
      return { ok: true as const };
    },
    'orders.paymentOptions': async (input, ctx) => {
      const order = await getOrder(deps.store, actorOf(deps, ctx.session), input.orderId);
      if (!order) throw notFound('order', 'orderId');
      return { principal: order.total, options: paymentOptions(order.total, todayIn(), installmentOffer(centralSettings(deps))) };
    },
    'orders.issueInvoice': async (input, ctx) => {
      const actor = actorOf(deps, ctx.session);
      // Only a term the service offers now, priced as the service prices it (central settings).
      const offer = installmentOffer(centralSettings(deps));
      const option = input.paymentOption as PaymentOption;
      if (option.kind === 'installments' && !(offer.months as readonly number[]).includes(option.months)) {
        throw new ApiError('validation', `paymentOption.months: ${option.months} months is not offered (offered: ${offer.months.join(', ')})`, 'paymentOption.months');
      }
      // The Paynova jobs and the SMS are enqueued in the issue's own transaction (one commit).
      const issued = unwrapService(await issueInvoice(deps.store, actor, { orderId: input.orderId, paymentOption: option }, { also: afterIssue(deps, actor), planTerms: offer.terms }));
      deps.afterWrite();
      return { invoiceId: issued.invoice.id, invoiceNumber: issued.invoice.invoiceNumber, ocr: issued.invoice.ocr, dueDate: issued.invoice.dueDate };
    },
    'orders.cancel': async (input, ctx) => {
      const actor = actorOf(deps, ctx.session);
      const before = await getOrder(deps.store, actor, input.orderId);
      unwrapService(await cancelOrder(deps.store, actor, input, before ? { also: afterCancel(deps, actor, before) } : {}));
      deps.afterWrite();
      return { ok: true as const };
    },
    'orders.credit': async (input, ctx) => {
      const actor = actorOf(deps, ctx.session);
      unwrapService(await creditOrder(deps.store, actor, { ...input, creditId: randomUUID() }, { also: afterCredit(deps, actor, input.amount) }));
      deps.afterWrite();
      return { ok: true as const };
    },
    'orders.exportCsv': async (input, ctx) => {
      const actor = actorOf(deps, ctx.session);
      const all: OrderRow[] = [];
      let cursor: string | null = null;
      const MAX = 200_000;
      do {
        const page: { rows: OrderRow[]; nextCursor: string | null } = await orderPage(deps, actor, { ...filterOf(input), sort: input.sort, direction: input.direction, limit: 500, cursor });
        all.push(...page.rows);
        cursor = page.nextCursor;
      } while (cursor && all.length < MAX);
      const csv = ordersCsv(all);
      return { filename: `ordrar-${todayIn()}.csv`, mimeType: 'text/csv; charset=utf-8', base64: Buffer.from(csv, 'utf8').toString('base64'), rows: all.length };
    },
    'orders.invoicePdf': async (input, ctx) => {
      const actor = actorOf(deps, ctx.session);
      const order = await getOrder(deps.store, actor, input.orderId);
      if (!order) throw notFound('order', 'orderId');
      const inv = await getInvoiceForOrder(deps.store, actor, order.id);
      if (!inv) throw new ApiError('conflict', 'orderId: the order has no invoice yet', 'orderId');
      const patient = await loadPatient(deps, actor, order.patientId);
      const clinic = clinicDetails(deps, actor.clinicId);
      const pdf = invoicePdf({ order, invoice: inv.invoice, plan: inv.plan, patient, clinic });
      return { filename: `faktura-${inv.invoice.invoiceNumber}.pdf`, mimeType: 'application/pdf', base64: Buffer.from(pdf).toString('base64') };
    },
  };
}


/** The clinic as the feed carried it; its invoice details live in the clinic's settings. */
export function clinicDetails(deps: CoreDeps, clinicId: string) {
  const raw = feedEntities(deps, 'clinic').find((c) => c.id === clinicId) ?? null;
  const s = (raw?.settings ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);
  const addr = (s.address ?? {}) as Record<string, unknown>;
  return {
    id: clinicId,
    name: str(raw?.name) ?? 'Kliniken',
    organisationNumber: str(s.organisationNumber),
    vatNumber: str(s.vatNumber),
    bankgiro: str(s.bankgiro),
    phone: str(s.phone),
    email: str(s.email),
    address: str(addr.street) ? { street: String(addr.street), postalCode: String(addr.postalCode ?? ''), city: String(addr.city ?? ''), countryCode: 'SE' } : null,
  };
}
export type ClinicDetails = ReturnType<typeof clinicDetails>;
