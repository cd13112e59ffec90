import { randomUUID } from 'node:crypto';
import { allowedEvents, orderFacts } from '../../src-shared/domain/order-state';
import type { Invoice, MoneyEvent, Order, Patient } from '../../src-shared/schemas/entities';
import { CancellationRequestNotice, type CancellationRequestInput, type ConsoleOrderDetail } from '../../src-shared/schemas/console';
import type { ServerDb } from '../db/connect';
import { inClinicTransaction } from '../sync/transact';
import { appendServerActivity } from '../accounts/activity';
import { refuse } from '../accounts/errors';
import { requirePermission, type Actor } from '../accounts/manage';
import { accountsDb } from '../accounts/schema';

async function entity<T>(sdb: ServerDb, clinicId: string, name: string, id: string): Promise<T | null> {
  const r = await sdb.db.selectFrom('entity_docs').select('data').where('clinic_id', '=', clinicId).where('entity', '=', name).where('id', '=', id).executeTakeFirst();
  return r ? (JSON.parse(r.data) as T) : null;
}

export async function orderDetail(sdb: ServerDb, actor: Actor, clinicId: string, orderId: string): Promise<ConsoleOrderDetail> {
  requirePermission(actor, 'orders.read_all_clinics');
  const order = await entity<Order>(sdb, clinicId, 'order', orderId);
  if (!order) throw refuse(404, 'unknown_order', 'This order does not exist in this clinic.', 'orderId');
  const clinic = await sdb.db.selectFrom('clinics').select('name').where('id', '=', clinicId).executeTakeFirstOrThrow();
  const docs = async <T>(name: string) =>
    (await sdb.db.selectFrom('entity_docs').select('data').where('clinic_id', '=', clinicId).where('entity', '=', name).execute()).map((r) => JSON.parse(r.data) as T);
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
