import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { lineAmount, vatOfGross, vatSummary } from '../../src-shared/domain/money';
import { moveOrder, type OrderEvent, type OrderState, type TransitionError } from '../../src-shared/domain/order-state';
import { OrderCancel, OrderCreate, OrderCredit, OrderUpdateDraft, type OrderLineInput } from '../../src-shared/schemas/commands';
import type { MoneyEvent, Order, OrderLine } from '../../src-shared/schemas/entities';
import type { OrderStatus } from '../../src-shared/schemas/enums';
import type { LocalStore } from '../db/open';
import { moneyEventToRow, orderLineToRow, orderToRow, rowToMoneyEvent, rowToOrder } from '../db/queries/mappers';
import { insertRow, prepared } from '../db/statements';
import type { OrderTable } from '../db/tables/core';
import type { Actor } from './actor';
import { parseInput, serviceError, type ServiceError, type ServiceResult } from './errors';
import type { WriteOutcome } from './patients';
import { commitCommand, refuse, runWrite, type Trx, type WriteOptions } from './write';

interface PricedLines {
  lines: OrderLine[];
  total: number;
  vatTotal: number;
}

/**
 * Derived amounts of an order (never inputs, invariant: both sides compute them): each line's
 * total and VAT, the order total, and the order VAT computed per rate on the summed gross (as the
 * invoice shows it), so the order's VAT equals the invoice's.
 */
export function priceLines(inputs: readonly OrderLineInput[], orderClinician: string | null): ServiceResult<PricedLines> {
  const lines: OrderLine[] = [];
  const seen = new Set<string>();
  for (const [i, l] of inputs.entries()) {
    if (seen.has(l.id)) return { ok: false, error: serviceError('validation', `lines.${i}.id: is used by another line`, `lines.${i}.id`) };
    seen.add(l.id);
    const amount = lineAmount({ unitPrice: l.unitPrice, quantity: l.quantity, discountBp: l.discountBp });
    if (!amount.ok) {
      const field = `lines.${i}.${amount.error.field ?? 'unitPrice'}`;
      return { ok: false, error: serviceError('validation', `${field}: ${amount.error.message}`, field, { reason: amount.error.code }) };
    }
    lines.push({ ...l, clinician: l.clinician ?? orderClinician, lineTotal: amount.value, vatAmount: vatOfGross(amount.value, l.vatCode) });
  }
  const summary = vatSummary(lines.map((l) => ({ gross: l.lineTotal, vatCode: l.vatCode })));
  if (!Number.isSafeInteger(summary.total.gross)) return { ok: false, error: serviceError('validation', 'lines: the order total is too large', 'lines') };
  return { ok: true, value: { lines, total: summary.total.gross, vatTotal: summary.total.vat } };
}

/** order.create: a draft order for a patient of the actor's clinic, with its priced lines. */
export async function createOrder(store: LocalStore, actor: Actor, input: unknown, options: WriteOptions<{ order: Order } & WriteOutcome> = {}): Promise<ServiceResult<{ order: Order } & WriteOutcome>> {
  const parsed = parseInput(OrderCreate, input);
  if (!parsed.ok) return parsed;
  const command = parsed.value;
  const priced = priceLines(command.lines, command.clinician);
  if (!priced.ok) return priced;
  const now = options.now ?? new Date();
  const at = now.toISOString();
  const order: Order = {
    id: command.id,
    clinicId: actor.clinicId,
    orderNumber: command.orderNumber,
    patientId: command.patientId,
    createdByUserId: actor.userId,
    clinician: command.clinician,
    note: command.note,
    status: 'draft',
    statusReason: 'none',
    paymentOption: null,
    total: priced.value.total,
    vatTotal: priced.value.vatTotal,
    creditedTotal: 0,
    paidTotal: 0,
    createdAt: at,
    updatedAt: at,
    lines: priced.value.lines,
  };
  return runWrite(store, async (trx) => {
    // The hot path of the desk: cached prepared statements on the transaction's own connection.
    const patient = prepared(store.sqlite, 'SELECT first_name, last_name, personnummer, phone FROM patients WHERE id = ? AND clinic_id = ?').get(order.patientId, actor.clinicId) as
      | { first_name: string; last_name: string; personnummer: string; phone: string | null }
      | undefined;
    if (!patient) return refuse(serviceError('not_found', 'patientId: no such patient in this clinic', 'patientId'));
    if (prepared(store.sqlite, 'SELECT 1 FROM orders WHERE order_number = ?').get(order.orderNumber)) {
      refuse(serviceError('duplicate', 'orderNumber: already used by another order', 'orderNumber'));
    }
    const denormalized = {
      patient: { firstName: patient.first_name, lastName: patient.last_name, personnummer: patient.personnummer, phone: patient.phone },
      invoice: null,
      paidDate: null,
    };
    insertRow(store.sqlite, 'orders', orderToRow(order, denormalized) as Record<string, unknown>);
    order.lines.forEach((l, i) => insertRow(store.sqlite, 'order_lines', orderLineToRow(order.id, i, l) as Record<string, unknown>));
    const m = await commitCommand(store, trx, actor, 'order.create', command, `order:${order.id}`, { orderNumber: order.orderNumber, total: order.total }, now);
    return { order, mutationSeq: m.seq, mutationId: m.mutationId };
  }, options.also);
}

/** order.update_draft: field-level edits; only a draft can change (an issued invoice is immutable). */
export async function updateDraftOrder(store: LocalStore, actor: Actor, input: unknown, options: WriteOptions<{ order: Order } & WriteOutcome> = {}): Promise<ServiceResult<{ order: Order } & WriteOutcome>> {
  const parsed = parseInput(OrderUpdateDraft, input);
  if (!parsed.ok) return parsed;
  const command = parsed.value;
  const { patch } = command;
  const now = options.now ?? new Date();
  return runWrite(store, async (trx) => {
    const row = await loadOrderRow(trx, actor, command.id, 'id');
    if (row.status !== 'draft') refuse(serviceError('conflict', `id: the order is ${row.status}; only a draft can be edited`, 'id', { reason: 'not_draft' }));
    const clinician = patch.clinician !== undefined ? patch.clinician : row.clinician;
    const set: Partial<Selectable<OrderTable>> = { updated_at: now.toISOString(), clinician };
    if (patch.note !== undefined) set.note = patch.note;
    if (patch.lines !== undefined) {
      const priced = priceLines(patch.lines, clinician);
      if (!priced.ok) return refuse({ ...priced.error, field: `patch.${priced.error.field}`, message: `patch.${priced.error.message}` });
      set.total = priced.value.total;
      set.vat_total = priced.value.vatTotal;
      await trx.deleteFrom('order_lines').where('order_id', '=', row.id).execute();
      await trx.insertInto('order_lines').values(priced.value.lines.map((l, i) => orderLineToRow(row.id, i, l))).execute();
    }
    await trx.updateTable('orders').set(set).where('id', '=', row.id).execute();
    const m = await commitCommand(store, trx, actor, 'order.update_draft', command, `order:${row.id}`, { fields: Object.keys(patch).join(',') }, now);
    const order = await readOrder(trx, row.id);
    return { order, mutationSeq: m.seq, mutationId: m.mutationId };
  }, options.also);
}

/** order.cancel: annul before activation (state machine decides); a cancellation money event is appended. */
export async function cancelOrder(store: LocalStore, actor: Actor, input: unknown, options: WriteOptions<{ order: Order; event: MoneyEvent } & WriteOutcome> = {}): Promise<ServiceResult<{ order: Order; event: MoneyEvent } & WriteOutcome>> {
  const parsed = parseInput(OrderCancel, input);
  if (!parsed.ok) return parsed;
  const command = parsed.value;
  const now = options.now ?? new Date();
  return runWrite(store, async (trx) => {
    const row = await loadOrderRow(trx, actor, command.orderId, 'orderId');
    const next = checkMove(row, { type: 'cancelled', reason: command.reason }, now, 'orderId');
    // The server records the cancellation under the mutation id; the desk's copy has the same id,
    // so the pulled event is the same event, not a second cancellation.
    const mutationId = randomUUID();
    const event: MoneyEvent = {
      id: mutationId,
      orderId: row.id,
      clinicId: row.clinic_id,
      kind: 'cancellation',
      // A draft was never claimed; an annulled invoice withdraws what was still outstanding.
      amount: row.status === 'draft' ? 0 : row.total - row.paid_total - row.credited_total,
      reason: command.reason,
      note: command.note,
      source: 'desk',
      at: now.toISOString(),
    };
    await trx.insertInto('money_events').values(moneyEventToRow(event)).execute();
    await trx.updateTable('orders').set({ status: next.status, status_reason: next.reason, activated_at: next.activatedAt, updated_at: event.at }).where('id', '=', row.id).execute();
    const m = await commitCommand(store, trx, actor, 'order.cancel', command, `order:${row.id}`, { from: row.status, to: next.status, reason: command.reason }, now, mutationId);
    return { order: await readOrder(trx, row.id), event, mutationSeq: m.seq, mutationId: m.mutationId };
  }, options.also);
}

/**
 * order.credit: a partial or full credit after activation. The credit is an append-only money
 * event (its id is the command's creditId, so a replay cannot credit twice); crediting the whole
 * remaining amount makes the order `credited`, a part keeps its status.
 */
export async function creditOrder(store: LocalStore, actor: Actor, input: unknown, options: WriteOptions<{ order: Order; event: MoneyEvent } & WriteOutcome> = {}): Promise<ServiceResult<{ order: Order; event: MoneyEvent } & WriteOutcome>> {
  const parsed = parseInput(OrderCredit, input);
  if (!parsed.ok) return parsed;
  const command = parsed.value;
  const now = options.now ?? new Date();
  return runWrite(store, async (trx) => {
    const row = await loadOrderRow(trx, actor, command.orderId, 'orderId');
    // The event id is the command's creditId on both sides, so a replay cannot credit twice and
    // the pulled server event is this one. A void (a rejected credit) does not free the id.
    if (prepared(store.sqlite, 'SELECT 1 FROM money_events WHERE id = ?').get(command.creditId)) {
      refuse(serviceError('duplicate', 'creditId: already used by another money event', 'creditId'));
    }
    const next = checkMove(row, { type: 'credited', amount: command.amount, reason: command.reason }, now, 'orderId');
    const event: MoneyEvent = {
      id: command.creditId,
      orderId: row.id,
      clinicId: row.clinic_id,
      kind: 'credit',
      amount: command.amount,
      reason: command.reason,
      note: command.note,
      source: 'desk',
      at: now.toISOString(),
    };
    await trx.insertInto('money_events').values(moneyEventToRow(event)).execute();
    await trx
      .updateTable('orders')
      .set({ status: next.status, status_reason: next.reason, activated_at: next.activatedAt, credited_total: row.credited_total + command.amount, updated_at: event.at })
      .where('id', '=', row.id)
      .execute();
    const m = await commitCommand(store, trx, actor, 'order.credit', command, `order:${row.id}`, { from: row.status, to: next.status, amount: command.amount, reason: command.reason }, now,
    );
    return { order: await readOrder(trx, row.id), event, mutationSeq: m.seq, mutationId: m.mutationId };
  }, options.also);
}

export async function getOrder(store: LocalStore, actor: Actor, id: string): Promise<Order | null> {
  const row = await store.db.selectFrom('orders').selectAll().where('id', '=', id).where('clinic_id', '=', actor.clinicId).executeTakeFirst();
  if (!row) return null;
  const lines = await store.db.selectFrom('order_lines').selectAll().where('order_id', '=', id).orderBy('position').execute();
  return orderOfRow(row, lines);
}

/** rowToOrder plus the activation instant (absent while not activated, like the server's document). */
function orderOfRow(row: Selectable<OrderTable>, lines: Parameters<typeof rowToOrder>[1]): Order {
  const order = rowToOrder(row, lines);
  return row.activated_at === null ? order : { ...order, activatedAt: row.activated_at };
}

/**
 * The order's money events as the server knows them or will (pending local ones included). An
 * event whose command the server rejected is voided (005_money_voids) and left out: it never
 * happened. getVoidedMoneyEvents lists those, with the server's reason.
 */
export async function getMoneyEvents(store: LocalStore, actor: Actor, orderId: string): Promise<MoneyEvent[]> {
  const rows = await store.db
    .selectFrom('money_events')
    .selectAll()
    .where('order_id', '=', orderId)
    .where('clinic_id', '=', actor.clinicId)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('money_event_voids').select('event_id').whereRef('money_event_voids.event_id', '=', 'money_events.id'))))
    .orderBy('at')
    .execute();
  return rows.map(rowToMoneyEvent);
}

export interface VoidedMoneyEvent {
  readonly event: MoneyEvent;
  readonly mutationId: string;
  readonly code: string;
  readonly reason: string;
  readonly voidedAt: string;
}

/** Local money events the server refused, with its code and reason (shown, never silent). */
export async function getVoidedMoneyEvents(store: LocalStore, actor: Actor, orderId: string): Promise<VoidedMoneyEvent[]> {
  const rows = await store.db
    .selectFrom('money_events')
    .innerJoin('money_event_voids', 'money_event_voids.event_id', 'money_events.id')
    .selectAll('money_events')
    .select(['money_event_voids.mutation_id', 'money_event_voids.code as void_code', 'money_event_voids.reason as void_reason', 'money_event_voids.at as voided_at'])
    .where('money_events.order_id', '=', orderId)
    .where('money_events.clinic_id', '=', actor.clinicId)
    .orderBy('money_events.at')
    .execute();
  return rows.map((r) => ({ event: rowToMoneyEvent(r), mutationId: r.mutation_id, code: r.void_code, reason: r.void_reason, voidedAt: r.voided_at }));
}

// ---------- shared by the order and invoice services ----------

export async function loadOrderRow(trx: Trx, actor: Actor, id: string, field: string): Promise<Selectable<OrderTable>> {
  const row = await trx.selectFrom('orders').selectAll().where('id', '=', id).where('clinic_id', '=', actor.clinicId).executeTakeFirst();
  if (!row) return refuse(serviceError('not_found', `${field}: no such order in this clinic`, field));
  return row;
}

export async function readOrder(trx: Trx, id: string): Promise<Order> {
  const row = await trx.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const lines = await trx.selectFrom('order_lines').selectAll().where('order_id', '=', id).execute();
  return orderOfRow(row, lines);
}

/**
 * moveOrder (the shared state machine plus the activation fact, exactly as the server applies it)
 * on a local order row, or a refusal carrying the state machine's reason (the write rolls back).
 */
export function checkMove(row: Selectable<OrderTable>, event: OrderEvent, now: Date, field: string): OrderState & { activatedAt: string | null } {
  const result = moveOrder(
    { status: row.status as OrderStatus, total: row.total, paidTotal: row.paid_total, creditedTotal: row.credited_total, activatedAt: row.activated_at },
    event,
    now.toISOString(),
  );
  if (!result.ok) return refuse(transitionRefusal(result.error, field));
  return result.value;
}

function transitionRefusal(e: TransitionError, field: string): ServiceError {
  if (e.code === 'credit_exceeds_balance' || e.code === 'invalid_amount') return serviceError('validation', `amount: ${e.message}`, 'amount', { reason: e.code });
  return serviceError('conflict', `${field}: ${e.message}`, field, { reason: e.code });
}
