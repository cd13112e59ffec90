import { randomUUID } from 'node:crypto';
import { moveOrder, type OrderEvent } from '../../src-shared/domain/order-state';
import type { MoneyEvent, Order } from '../../src-shared/schemas/entities';
import type { ClinicWriter } from '../sync/clinic-writer';

/** What a provider reported about an order, already mapped to our state machine. */
export type ProviderOrderEvent = Extract<OrderEvent, { type: 'payment_completed' | 'plan_started' | 'payment_failed' | 'cancelled' }>;

export interface AppliedOutcome {
  /** The state machine accepted the event (the status or its reason moved). */
  readonly applied: boolean;
  readonly status: Order['status'];
  readonly message: string;
}

/**
 * Applies a provider outcome to the server's current order inside the caller's clinic transaction:
 * the order document, its money events and (when the event does not fit) a notice for every desk
 * of the clinic all go out in the same change-feed write. It follows the bootstrap payment route
 * (admin.ts recordProviderPayment): money that moved is never lost — a payment is always appended,
 * and if the order can no longer take it the status stays and the notice asks for a refund. An
 * illegal event never throws: it is reported, so the webhook can answer 200 and Paynova stops
 * retrying something that will never fit.
 */
export function applyProviderOutcome(w: ClinicWriter, order: Order, event: ProviderOrderEvent, amount: number | null, now: string, source: string): AppliedOutcome {
  const outstanding = Math.max(0, order.total - order.paidTotal - order.creditedTotal);
  const notice = (kind: string, message: string) => {
    const id = randomUUID();
    w.put('notice', id, { kind, id, orderId: order.id, orderNumber: order.orderNumber, event: event.type, source, message, at: now }, null);
  };
  const money = (kind: MoneyEvent['kind'], value: number, reason: MoneyEvent['reason']) => {
    const id = randomUUID();
    const e: MoneyEvent = { id, orderId: order.id, clinicId: order.clinicId, kind, amount: value, reason, note: source, source: 'provider', at: now };
    w.put('money_event', id, e, null);
  };

  if (event.type === 'payment_completed') {
    const paid = amount ?? outstanding;
    money('payment', paid, 'none');
    const paidTotal = order.paidTotal + paid;
    if (paid < outstanding) {
      const message = `A part payment of ${paid} öre arrived for order ${order.orderNumber}; ${outstanding - paid} öre is still outstanding, so it stays ${order.status}.`;
      w.put('order', order.id, { ...order, paidTotal, updatedAt: now }, null);
      notice('partial_payment', message);
      return { applied: false, status: order.status, message };
    }
    const moved = moveOrder(order, event, now);
    if (moved.ok) {
      w.put('order', order.id, { ...order, paidTotal, status: moved.value.status, statusReason: moved.value.reason, ...activation(moved.value.activatedAt), updatedAt: now }, null);
      return { applied: true, status: moved.value.status, message: `Order ${order.orderNumber} is paid.` };
    }
    const message = `A payment of ${paid} öre arrived for order ${order.orderNumber}, which is ${order.status}. The status stays ${order.status}; the payment is recorded and must be refunded to the patient.`;
    w.put('order', order.id, { ...order, paidTotal, updatedAt: now }, null);
    notice('payment_on_closed_order', message);
    return { applied: false, status: order.status, message };
  }

  const moved = moveOrder(order, event, now);
  if (!moved.ok) {
    const message = `Paynova reported "${event.type}" for order ${order.orderNumber}, which is ${order.status} here: not applied. ${moved.error.message}`;
    notice('provider_event_not_applied', message);
    return { applied: false, status: order.status, message };
  }
  if (event.type === 'cancelled') money('cancellation', outstanding, event.reason);
  w.put('order', order.id, { ...order, status: moved.value.status, statusReason: moved.value.reason, ...activation(moved.value.activatedAt), updatedAt: now }, null);
  return { applied: true, status: moved.value.status, message: `Order ${order.orderNumber}: ${event.type} → ${moved.value.status} (${moved.value.reason}).` };
}

const activation = (at: string | null) => (at === null ? {} : { activatedAt: at });
