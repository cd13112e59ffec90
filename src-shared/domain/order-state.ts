import { z } from 'zod';
import { OrderStatus, StatusReason } from '../schemas/enums';
import { err, ok, type DomainError, type Result } from './result';

/**
 * The order/invoice state machine (domain.md "Order and invoice lifecycle").
 *
 *   draft ──issue──▶ invoiced ──payment_completed──▶ paid ──settled──▶ completed
 *                        │    ──plan_started──────▶ installments ──plan_finished──▶ completed
 *                        ├─due_date_passed─▶ overdue ◀─due_date_passed─ installments
 *                        ├─rejected─▶ rejected          (credit check / provider refusal)
 *                        └─cancelled─▶ cancelled        (annulled before activation)
 *   paid | installments | overdue(activated) | completed ──credited (full)──▶ credited
 *
 * "Activation" is the moment money or credit is committed: a payment completed or an installment
 * plan started. Before it nothing has to be paid back, so the right undo is an annulment
 * (`cancelled`): from draft, from invoiced, and from overdue when the overdue invoice was never
 * paid nor turned into a plan. After it the undo must be a refund or a credit note (`credited`),
 * because the patient has paid or signed a credit agreement. Status alone cannot tell an overdue
 * invoice from an overdue plan, so on `overdue` the events cancelled, credited and plan_finished
 * need the `activated` fact from the caller. That fact is recorded, not guessed: an order keeps
 * `activatedAt`, set by `moveOrder` the first time it enters an activating status (`paid`,
 * `installments`) and never cleared; `orderFacts` reads it for the server and the desk alike.
 *
 * A partial credit keeps the status and records its reason; a credit of the whole remaining
 * amount moves the order to `credited`. Failed payment attempts keep the status and record the
 * failure reason (insufficient funds, declined, …), so the desk sees why the patient has not paid.
 *
 * Sync (ARCHITECTURE.md invariant 5): money events are append-only and are never merged or
 * last-writer-wins. The server applies each incoming event to ITS current status with
 * transition(); if the event is no longer legal (the desk cancelled an order that a webhook has
 * meanwhile marked paid), the mutation is rejected with a `conflict` reason the desk shows to a
 * person, who then credits instead. That is all `resolveConcurrent` does.
 */

export const FailureReason = StatusReason.extract([
  'insufficient_funds',
  'authentication_failed',
  'declined_by_processor',
  'bank_communication_error',
  'fraud_screening',
  'credit_check_refused',
  'provider_unavailable',
  'provider_error',
]);
export type FailureReason = z.infer<typeof FailureReason>;

export const CancelReason = StatusReason.extract([
  'paid_elsewhere',
  'wrong_invoice',
  'treatment_not_performed',
  'duplicate',
  'patient_request',
  'cancelled_by_customer',
  'other',
]);
export type CancelReason = z.infer<typeof CancelReason>;

export const CreditReason = StatusReason.extract([
  'paid_elsewhere',
  'wrong_invoice',
  'treatment_not_performed',
  'goodwill',
  'duplicate',
  'patient_request',
  'other',
]);
export type CreditReason = z.infer<typeof CreditReason>;

export const OrderEvent = z.discriminatedUnion('type', [
  /** The desk issued the invoice (registered with the provider). */
  z.object({ type: z.literal('issue') }),
  /** A payment attempt failed; the order stays collectable and keeps the reason. */
  z.object({ type: z.literal('payment_failed'), reason: FailureReason }),
  /** The whole amount was paid. */
  z.object({ type: z.literal('payment_completed') }),
  /** An installment plan is active (new, or an overdue plan brought up to date). */
  z.object({ type: z.literal('plan_started') }),
  /** The last installment was paid. */
  z.object({ type: z.literal('plan_finished') }),
  /** A paid order is closed: the provider has settled with the clinic, nothing is outstanding. */
  z.object({ type: z.literal('settled') }),
  z.object({ type: z.literal('due_date_passed') }),
  /** Credit check refused or the provider refused the order. */
  z.object({ type: z.literal('rejected'), reason: FailureReason }),
  /** Annulled before activation by the desk or the customer. */
  z.object({ type: z.literal('cancelled'), reason: CancelReason }),
  /** Refund / credit note after activation; `amount` in öre. */
  z.object({ type: z.literal('credited'), amount: z.number().int().safe().positive(), reason: CreditReason }),
]);
export type OrderEvent = z.infer<typeof OrderEvent>;
export type OrderEventType = OrderEvent['type'];
export const ORDER_EVENT_TYPES = OrderEvent.options.map((o) => o.shape.type.value) as OrderEventType[];

/** Facts outside the status that some transitions depend on (see the header comment). */
export interface TransitionFacts {
  /** A payment was completed or a plan started at some point. */
  activated?: boolean;
  /** What can still be credited: the invoiced total minus earlier credits, öre. */
  creditableAmount?: number;
}

export type TransitionErrorCode =
  | 'unknown_status'
  | 'invalid_event'
  | 'invalid_reason'
  | 'invalid_amount'
  | 'illegal_transition'
  | 'missing_context'
  | 'credit_exceeds_balance'
  | 'conflict';
export interface TransitionError extends DomainError<TransitionErrorCode> {
  readonly from: string;
  readonly event: string;
}

export interface OrderState {
  status: OrderStatus;
  reason: StatusReason;
}

type Target = OrderStatus | 'same';
const TABLE: Record<OrderStatus, Partial<Record<OrderEventType, Target>>> = {
  draft: { issue: 'invoiced', cancelled: 'cancelled' },
  invoiced: {
    payment_failed: 'same',
    payment_completed: 'paid',
    plan_started: 'installments',
    due_date_passed: 'overdue',
    rejected: 'rejected',
    cancelled: 'cancelled',
  },
  paid: { settled: 'completed', credited: 'credited' },
  installments: { payment_failed: 'same', plan_finished: 'completed', due_date_passed: 'overdue', credited: 'credited' },
  overdue: {
    payment_failed: 'same',
    payment_completed: 'paid',
    plan_started: 'installments',
    plan_finished: 'completed',
    cancelled: 'cancelled',
    credited: 'credited',
  },
  completed: { credited: 'credited' },
  rejected: {},
  cancelled: {},
  credited: {},
};

const FIXED_REASON: Partial<Record<OrderEventType, StatusReason>> = {
  plan_finished: 'plan_finished',
  due_date_passed: 'past_due_date',
};

/** What the desk should do instead, for the illegal transitions people actually attempt. */
function hint(from: OrderStatus, type: OrderEventType): string {
  if (type === 'cancelled' && ['paid', 'installments', 'completed', 'overdue'].includes(from)) {
    return ' Money or credit has been committed, so it must be credited instead.';
  }
  if (type === 'credited' && (from === 'draft' || from === 'invoiced')) {
    return ' Nothing has been paid yet, so cancel (annul) it instead.';
  }
  if (from === 'rejected' || from === 'cancelled' || from === 'credited') {
    return ` A ${from} order is final; create a new order if needed.`;
  }
  return '';
}

function transitionError(code: TransitionErrorCode, from: string, event: string, message: string, field?: string): TransitionError {
  return field === undefined ? { code, from, event, message } : { code, from, event, message, field };
}

export function isTerminal(status: OrderStatus): boolean {
  const events = TABLE[status];
  return events !== undefined && Object.keys(events).length === 0;
}

/**
 * Event types that can apply in `status`. With facts, the overdue events that depend on
 * activation are filtered accordingly.
 */
export function allowedEvents(status: OrderStatus, facts?: TransitionFacts): OrderEventType[] {
  const events = TABLE[status];
  if (events === undefined) return [];
  return ORDER_EVENT_TYPES.filter((type) => {
    if (events[type] === undefined) return false;
    if (status === 'overdue' && facts?.activated !== undefined) {
      if (type === 'cancelled') return !facts.activated;
      if (type === 'credited' || type === 'plan_finished') return facts.activated;
    }
    return true;
  });
}

/**
 * Applies one event to a status. Never a silent no-op: an event that does not apply is a typed
 * error that says what was attempted from where. The event is validated at runtime too, since it
 * may come straight from a sync push or a webhook.
 */
export function transition(status: OrderStatus, event: OrderEvent, facts: TransitionFacts = {}): Result<OrderState, TransitionError> {
  const rawType = typeof (event as { type?: unknown } | null)?.type === 'string' ? (event as { type: string }).type : '(none)';
  if (!OrderStatus.safeParse(status).success) {
    return err(transitionError('unknown_status', String(status), rawType, `"${String(status)}" is not an order status.`, 'status'));
  }
  const parsed = OrderEvent.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') ?? '';
    if (field === 'reason') {
      return err(transitionError('invalid_reason', status, rawType, `"${String((event as { reason?: unknown }).reason)}" is not a valid reason for "${rawType}".`, 'reason'));
    }
    if (field === 'amount') {
      return err(transitionError('invalid_amount', status, rawType, `A credit amount must be a positive whole number of öre, got ${String((event as { amount?: unknown }).amount)}.`, 'amount'));
    }
    return err(transitionError('invalid_event', status, rawType, `Not a valid order event: ${field || 'event'}: ${issue?.message ?? 'invalid'}.`, field || undefined));
  }
  const ev = parsed.data;
  const target = TABLE[status][ev.type];
  if (target === undefined) {
    return err(transitionError('illegal_transition', status, ev.type, `An order that is ${status} cannot take "${ev.type}".${hint(status, ev.type)}`));
  }

  if (status === 'overdue' && (ev.type === 'cancelled' || ev.type === 'credited' || ev.type === 'plan_finished')) {
    if (facts.activated === undefined) {
      return err(transitionError('missing_context', status, ev.type, `Whether an overdue order was paid or put on a plan decides whether "${ev.type}" applies; pass facts.activated.`, 'activated'));
    }
    if (ev.type === 'plan_finished' && !facts.activated) {
      return err(transitionError('illegal_transition', status, ev.type, `This overdue invoice never had an installment plan, so no plan can finish.`));
    }
    if (ev.type === 'cancelled' && facts.activated) {
      return err(transitionError('illegal_transition', status, ev.type, `This overdue order has an active payment or plan and cannot be annulled; credit it instead.`));
    }
    if (ev.type === 'credited' && !facts.activated) {
      return err(transitionError('illegal_transition', status, ev.type, `This overdue invoice was never paid nor put on a plan; cancel (annul) it instead of crediting.`));
    }
  }

  switch (ev.type) {
    case 'payment_failed':
    case 'rejected':
    case 'cancelled':
      return ok({ status: target === 'same' ? status : target, reason: ev.reason });
    case 'credited': {
      const creditable = facts.creditableAmount;
      if (creditable === undefined || !Number.isSafeInteger(creditable) || creditable < 0) {
        return err(transitionError('missing_context', status, ev.type, 'A credit needs facts.creditableAmount (öre still creditable) to tell a full credit from a partial one.', 'creditableAmount'));
      }
      if (ev.amount > creditable) {
        return err(transitionError('credit_exceeds_balance', status, ev.type, `Cannot credit ${ev.amount} öre: only ${creditable} öre remains creditable.`, 'amount'));
      }
      // A partial credit is a recorded money event but leaves the order where it is.
      return ok({ status: ev.amount === creditable ? 'credited' : status, reason: ev.reason });
    }
    default:
      return ok({ status: target === 'same' ? status : target, reason: FIXED_REASON[ev.type] ?? 'none' });
  }
}

export interface IncomingTransition {
  event: OrderEvent;
  /** The status the sending device saw when it created the event, if known. */
  basedOn?: OrderStatus;
}

/**
 * Server-side resolution of an event that may have been created against a stale status. The
 * outcome is decided by transition() on the server's current status: still legal → applied (e.g.
 * an annulment that reaches an invoice which has since become overdue but is unpaid); no longer
 * legal → rejected with code 'conflict' and a reason for the person at the desk. Nothing is merged.
 */
export function resolveConcurrent(
  current: OrderStatus,
  incoming: IncomingTransition,
  facts: TransitionFacts = {},
): Result<OrderState & { stale: boolean }, TransitionError> {
  const basedOn = incoming?.basedOn;
  const stale = basedOn !== undefined && basedOn !== current;
  const result = transition(current, incoming?.event, facts);
  if (result.ok) return ok({ ...result.value, stale });
  if (stale && result.error.code === 'illegal_transition') {
    return err({
      ...result.error,
      code: 'conflict',
      message: `The order changed from ${basedOn} to ${current} before this change arrived. ${result.error.message}`,
    });
  }
  return result;
}

/** Entering one of these commits money (paid) or credit (a signed plan): the order is activated. */
const ACTIVATING: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['paid', 'installments']);
/** Statuses only an activated order can be in (for orders recorded before `activatedAt` existed). */
const ONLY_AFTER_ACTIVATION: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['paid', 'installments', 'completed', 'credited']);

/** What the activation facts are read from: the order document (server) or row (desk). */
export interface ActivationSource {
  status: OrderStatus;
  total: number;
  paidTotal: number;
  creditedTotal: number;
  /** When the order first entered an activating status; absent or null if it never did. */
  activatedAt?: string | null;
}

/**
 * The order was activated at some point. `activatedAt` is the recorded fact; an order written
 * before it was recorded still proves activation by a payment or by a status only reachable
 * after activation (an overdue plan of that era cannot be told apart, as before).
 */
export function isActivated(order: ActivationSource): boolean {
  return (order.activatedAt ?? null) !== null || order.paidTotal > 0 || ONLY_AFTER_ACTIVATION.has(order.status);
}

/** The facts transition() needs, derived the same way on the server and on the desk. */
export function orderFacts(order: ActivationSource): Required<TransitionFacts> {
  return { activated: isActivated(order), creditableAmount: order.total - order.creditedTotal };
}

/**
 * transition() on an order, also saying when it was activated: the first move into `paid` or
 * `installments` records `at`; later moves keep the first instant (activation is never undone).
 */
export function moveOrder(order: ActivationSource, event: OrderEvent, at: string): Result<OrderState & { activatedAt: string | null }, TransitionError> {
  const moved = transition(order.status, event, orderFacts(order));
  if (!moved.ok) return moved;
  const before = order.activatedAt ?? null;
  return ok({ ...moved.value, activatedAt: before ?? (ACTIVATING.has(moved.value.status) ? at : null) });
}
