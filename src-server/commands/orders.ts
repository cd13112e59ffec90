import { lineAmount, vatOfGross, vatSummary } from '../../src-shared/domain/money';
import { moveOrder, type OrderEvent } from '../../src-shared/domain/order-state';
import { parseInvoiceNumber } from '../../src-shared/domain/invoice-series';
import { err, ok, type Result } from '../../src-shared/domain/result';
import { InvoiceIssue, OrderCancel, OrderCreate, OrderCredit, OrderUpdateDraft, type OrderLineInput } from '../../src-shared/schemas/commands';
import type { Invoice, MoneyEvent, Order, OrderLine } from '../../src-shared/schemas/entities';
import { defineCommand, type CommandContext, type Rejection } from './registry';

const DESK_ROLES = ['staff', 'clinic_admin', 'system_admin'] as const;

const reject = (code: Rejection['code'], reason: string, field?: string): Result<never, Rejection> =>
  err(field === undefined ? { code, reason } : { code, reason, field });

/** Derived amounts are computed here, never taken from the desk (commands.ts). */
function priceLines(lines: readonly OrderLineInput[]): Result<{ lines: OrderLine[]; total: number; vatTotal: number }, Rejection> {
  const out: OrderLine[] = [];
  for (const [i, l] of lines.entries()) {
    const amount = lineAmount({ unitPrice: l.unitPrice, quantity: l.quantity, discountBp: l.discountBp });
    if (!amount.ok) return reject('domain_rule', amount.error.message, `lines.${i}.${amount.error.field ?? 'unitPrice'}`);
    // Object.assign, not a spread: V8 (Node 20) gives `{ ...l, lineTotal, … }` a map that every added
    // key rebuilds, ~10 times slower, and the push path prices every line of every order.
    out.push(Object.assign({}, l, { lineTotal: amount.value, vatAmount: vatOfGross(amount.value, l.vatCode) }));
  }
  const summary = vatSummary(out.map((l) => ({ gross: l.lineTotal, vatCode: l.vatCode })));
  return ok({ lines: out, total: summary.total.gross, vatTotal: summary.total.vat });
}

async function loadOrder(ctx: CommandContext, id: string, field: string): Promise<Result<Order, Rejection>> {
  const doc = await ctx.store.get('order', id);
  if (!doc) return reject('not_found', `Order ${id} does not exist in this clinic.`, field);
  return ok(doc as unknown as Order);
}

function putOrder(ctx: CommandContext, order: Order): void {
  ctx.store.put('order', order.id, { ...order, updatedAt: ctx.now }, ctx.mutationId);
}

/**
 * Applies a state-machine event to the server's CURRENT order; an illegal one is a conflict. The
 * `activated` fact and the recorded `activatedAt` come from the shared moveOrder, as on the desk.
 */
function applyEvent(ctx: CommandContext, order: Order, event: OrderEvent): Result<Pick<Order, 'status' | 'statusReason' | 'activatedAt'>, Rejection> {
  const r = moveOrder(order, event, ctx.now);
  if (!r.ok) {
    const code = r.error.code === 'credit_exceeds_balance' || r.error.code === 'invalid_amount' ? 'domain_rule' : 'conflict';
    return reject(code, `Order ${order.orderNumber} is ${order.status} on the server. ${r.error.message}`, r.error.field);
  }
  return ok({ status: r.value.status, statusReason: r.value.reason, ...(r.value.activatedAt === null ? {} : { activatedAt: r.value.activatedAt }) });
}

function moneyEvent(ctx: CommandContext, e: Omit<MoneyEvent, 'clinicId' | 'at' | 'source'>): void {
  const event: MoneyEvent = Object.assign({}, e, { clinicId: ctx.clinicId, source: 'desk' as const, at: ctx.now });
  ctx.store.put('money_event', e.id, event, ctx.mutationId);
}

export const orderCommands = {
  'order.create': defineCommand({
    schema: OrderCreate,
    roles: DESK_ROLES,
    reads: (input) => ({ entities: [['patient', input.patientId]], creates: [['order', input.id]], claims: [['order_number', input.orderNumber]] }),
    async apply(ctx, input) {
      if (await ctx.store.exists('order', input.id)) return reject('already_exists', `Order ${input.id} already exists.`, 'id');
      if (!(await ctx.store.exists('patient', input.patientId))) return reject('not_found', `Patient ${input.patientId} does not exist in this clinic.`, 'patientId');
      const priced = priceLines(input.lines);
      if (!priced.ok) return priced;
      if (!(await ctx.store.claimUnique('order_number', input.orderNumber, input.id))) {
        return reject('already_exists', `Order number ${input.orderNumber} is already used in this clinic.`, 'orderNumber');
      }
      const order: Order = {
        id: input.id,
        clinicId: ctx.clinicId,
        orderNumber: input.orderNumber,
        patientId: input.patientId,
        createdByUserId: ctx.actor.id,
        clinician: input.clinician,
        note: input.note,
        status: 'draft',
        statusReason: 'none',
        paymentOption: null,
        total: priced.value.total,
        vatTotal: priced.value.vatTotal,
        creditedTotal: 0,
        paidTotal: 0,
        createdAt: ctx.now,
        updatedAt: ctx.now,
        lines: priced.value.lines,
      };
      putOrder(ctx, order);
      return ok(undefined);
    },
  }),

  // Field-level: only the fields in the patch change, so two desks editing different fields of
  // the same draft both win; the same field edited twice ends as the later one in server order.
  'order.update_draft': defineCommand({
    schema: OrderUpdateDraft,
    roles: DESK_ROLES,
    reads: (input) => ({ entities: [['order', input.id]] }),
    async apply(ctx, input) {
      const found = await loadOrder(ctx, input.id, 'id');
      if (!found.ok) return found;
      const order = found.value;
      if (order.status !== 'draft') {
        return reject('not_draft', `Order ${order.orderNumber} is no longer a draft (it is ${order.status} on the server), so it cannot be edited.`);
      }
      const next: Order = { ...order };
      if (input.patch.clinician !== undefined) next.clinician = input.patch.clinician;
      if (input.patch.note !== undefined) next.note = input.patch.note;
      if (input.patch.lines !== undefined) {
        const priced = priceLines(input.patch.lines);
        if (!priced.ok) return priced;
        Object.assign(next, priced.value);
      }
      putOrder(ctx, next);
      return ok(undefined);
    },
  }),

  'invoice.issue': defineCommand({
    schema: InvoiceIssue,
    roles: DESK_ROLES,
    reads: (input) => ({ entities: [['order', input.orderId]], uniques: [['series', input.seriesId]], creates: [['invoice', input.invoiceId]], claims: [['invoice_number', input.invoiceNumber]] }),
    async apply(ctx, input) {
      const found = await loadOrder(ctx, input.orderId, 'orderId');
      if (!found.ok) return found;
      const order = found.value;
      const moved = applyEvent(ctx, order, { type: 'issue' });
      if (!moved.ok) return moved;
      if (order.total <= 0) return reject('domain_rule', `Order ${order.orderNumber} has nothing to invoice.`);
      if (input.dueDate < input.issueDate) return reject('domain_rule', 'The due date cannot be before the issue date.', 'dueDate');
      const number = parseInvoiceNumber(input.invoiceNumber);
      if (!number.ok) return reject('invalid_payload', number.error.message, 'invoiceNumber');
      // Each device owns its series (invariant 6): the first device to use a series owns it.
      if (!(await ctx.store.claimUnique('series', input.seriesId, ctx.deviceId))) {
        return reject('domain_rule', `Invoice series ${input.seriesId} belongs to another desk.`, 'seriesId');
      }
      if (await ctx.store.exists('invoice', input.invoiceId)) return reject('already_exists', `Invoice ${input.invoiceId} already exists.`, 'invoiceId');
      if (!(await ctx.store.claimUnique('invoice_number', input.invoiceNumber, input.invoiceId))) {
        return reject('already_exists', `Invoice number ${input.invoiceNumber} is already used.`, 'invoiceNumber');
      }
      const invoice: Invoice = {
        id: input.invoiceId,
        orderId: order.id,
        clinicId: ctx.clinicId,
        seriesId: input.seriesId,
        invoiceNumber: input.invoiceNumber,
        ocr: input.ocr,
        issueDate: input.issueDate,
        dueDate: input.dueDate,
        total: order.total,
        vatTotal: order.vatTotal,
        paymentOption: input.paymentOption,
        providerOrderId: null,
        providerTransactionId: null,
      };
      ctx.store.put('invoice', invoice.id, invoice, ctx.mutationId);
      putOrder(ctx, { ...order, ...moved.value, paymentOption: input.paymentOption });
      return ok(undefined);
    },
  }),

  'order.cancel': defineCommand({
    schema: OrderCancel,
    roles: DESK_ROLES,
    reads: (input) => ({ entities: [['order', input.orderId]] }),
    async apply(ctx, input) {
      const found = await loadOrder(ctx, input.orderId, 'orderId');
      if (!found.ok) return found;
      const order = found.value;
      const moved = applyEvent(ctx, order, { type: 'cancelled', reason: input.reason });
      if (!moved.ok) return moved;
      // A draft was never claimed; an annulled invoice withdraws what is still outstanding.
      const outstanding = order.status === 'draft' ? 0 : order.total - order.paidTotal - order.creditedTotal;
      moneyEvent(ctx, { id: ctx.mutationId, orderId: order.id, kind: 'cancellation', amount: outstanding, reason: input.reason, note: input.note });
      putOrder(ctx, { ...order, ...moved.value });
      return ok(undefined);
    },
  }),

  'order.credit': defineCommand({
    schema: OrderCredit,
    roles: DESK_ROLES,
    reads: (input) => ({ entities: [['order', input.orderId]], creates: [['money_event', input.creditId]] }),
    async apply(ctx, input) {
      const found = await loadOrder(ctx, input.orderId, 'orderId');
      if (!found.ok) return found;
      const order = found.value;
      if (await ctx.store.exists('money_event', input.creditId)) return reject('already_exists', `Credit ${input.creditId} already exists.`, 'creditId');
      const moved = applyEvent(ctx, order, { type: 'credited', amount: input.amount, reason: input.reason });
      if (!moved.ok) return moved;
      moneyEvent(ctx, { id: input.creditId, orderId: order.id, kind: 'credit', amount: input.amount, reason: input.reason, note: input.note });
      putOrder(ctx, { ...order, ...moved.value, creditedTotal: order.creditedTotal + input.amount });
      return ok(undefined);
    },
  }),
};
