import type { Order, Patient } from '../../src-shared/schemas/entities';
import type { SmsTemplateKey } from '../../src-shared/schemas/providers';
import { renderSms, type SmsValues } from '../integrations/twilio/templates';
import type { CreateOrderInput } from '../integrations/paynova/order-body';
import { enqueueJob } from '../jobs/queue';
import type { Actor } from '../services/actor';
import { getInvoiceForOrder } from '../services/invoices';
import { getOrder } from '../services/orders';
import { getPatient } from '../services/patients';
import { clinicDetails } from './handlers/orders';
import type { CoreDeps } from './deps';

/**
 * What follows a desk action at the providers: register and authorize the order at Paynova,
 * activate (finalize) it, and tell the patient by SMS; annul or refund after a cancel or credit.
 * Each is a durable job keyed by the order number, so a retry never registers an order twice.
 *
 * Gap (reported): the services commit the desk action in their own transaction, so these jobs
 * are enqueued in a second one right after. A crash between the two leaves an issued invoice
 * without its jobs; the order reconciliation and the sync panel make that visible.
 */

function smsJob(deps: CoreDeps, patient: Patient, key: SmsTemplateKey, values: SmsValues): { to: string; body: string; template: string; patientId: string } | null {
  if (!patient.phone || !patient.smsConsent || patient.smsBlockedReason) return null;
  const overrides = deps.settings.readOrDefaults().sms.templates;
  const body = renderSms(key, patient.language, values, overrides);
  if (!body.ok) {
    // A broken template must not block the invoice; it is visible in the log and the SMS list stays empty.
    console.error(JSON.stringify({ level: 'error', event: 'core.sms_not_rendered', template: key, code: body.error.code, message: body.error.message }));
    return null;
  }
  return { to: patient.phone, body: body.value, template: key, patientId: patient.id };
}

function paynovaOrder(order: Order, patient: Patient): CreateOrderInput {
  return {
    orderNumber: order.orderNumber,
    description: `Faktura ${order.orderNumber}`,
    customer: {
      customerId: patient.id.slice(0, 50),
      governmentId: patient.personnummer,
      firstName: patient.firstName.slice(0, 50),
      lastName: patient.lastName.slice(0, 50),
      ...(patient.email ? { email: patient.email } : {}),
      ...(patient.phone ? { mobile: patient.phone } : {}),
    },
    ...(patient.address ? { billTo: { street1: patient.address.street.slice(0, 100), city: patient.address.city.slice(0, 60), postalCode: patient.address.postalCode, countryCode: patient.address.countryCode } } : {}),
    lines: order.lines.map((l) => ({
      id: l.id.slice(0, 50),
      articleNumber: (l.code || 'ITEM').slice(0, 50),
      name: l.description.slice(0, 100),
      quantity: l.quantity,
      grossOre: l.lineTotal,
      vatCode: l.vatCode,
    })),
  };
}

export async function enqueueAfterIssue(deps: CoreDeps, actor: Actor, orderId: string): Promise<void> {
  const order = await getOrder(deps.store, actor, orderId);
  const inv = await getInvoiceForOrder(deps.store, actor, orderId);
  if (!order || !inv) return;
  const patient = await getPatient(deps.store, actor, order.patientId);
  if (!patient) return;
  const clinic = clinicDetails(deps, actor.clinicId);
  const sms = smsJob(deps, patient, 'invoice_issued', {
    clinic: clinic.name, amount: order.total, dueDate: inv.invoice.dueDate, ocr: inv.invoice.ocr, link: `${deps.paymentLinkBase}/${encodeURIComponent(order.orderNumber)}`,
  });
  const subject = `order:${order.id}`;
  await deps.store.db.transaction().execute(async (trx) => {
    await enqueueJob(trx, { kind: 'paynova.create_authorize', idempotencyKey: order.orderNumber, clinicId: actor.clinicId, subject, payload: { order: paynovaOrder(order, patient), option: inv.invoice.paymentOption } });
    await enqueueJob(trx, { kind: 'paynova.finalize', idempotencyKey: order.orderNumber, clinicId: actor.clinicId, subject, payload: { orderNumber: order.orderNumber, amountOre: order.total, invoiceId: inv.invoice.invoiceNumber } });
    if (sms) await enqueueJob(trx, { kind: 'sms.send', idempotencyKey: `${order.orderNumber}:invoice_issued`, clinicId: actor.clinicId, subject, payload: sms });
  });
}

async function paynovaState(deps: CoreDeps, orderNumber: string): Promise<string | null> {
  const row = await deps.store.db.selectFrom('paynova_order').select('state').where('order_number', '=', orderNumber).executeTakeFirst();
  return row?.state ?? null;
}

export async function enqueueAfterCancel(deps: CoreDeps, actor: Actor, before: Order): Promise<void> {
  if (before.status === 'draft') return;
  const patient = await getPatient(deps.store, actor, before.patientId);
  const inv = await getInvoiceForOrder(deps.store, actor, before.id);
  const state = await paynovaState(deps, before.orderNumber);
  const subject = `order:${before.id}`;
  const outstanding = before.total - before.paidTotal - before.creditedTotal;
  const sms = patient && inv ? smsJob(deps, patient, 'cancelled', { clinic: clinicDetails(deps, actor.clinicId).name, ocr: inv.invoice.ocr }) : null;
  await deps.store.db.transaction().execute(async (trx) => {
    if (state && state !== 'annulled' && state !== 'rejected' && outstanding > 0) {
      await enqueueJob(trx, { kind: 'paynova.annul', idempotencyKey: before.orderNumber, clinicId: actor.clinicId, subject, payload: { orderNumber: before.orderNumber, amountOre: outstanding } });
    }
    if (sms) await enqueueJob(trx, { kind: 'sms.send', idempotencyKey: `${before.orderNumber}:cancelled`, clinicId: actor.clinicId, subject, payload: sms });
  });
}

export async function enqueueAfterCredit(deps: CoreDeps, actor: Actor, order: Order, amount: number): Promise<void> {
  const patient = await getPatient(deps.store, actor, order.patientId);
  const inv = await getInvoiceForOrder(deps.store, actor, order.id);
  const state = await paynovaState(deps, order.orderNumber);
  const subject = `order:${order.id}`;
  const key = `${order.orderNumber}:credit:${order.creditedTotal}`;
  const sms = patient && inv ? smsJob(deps, patient, 'credited', { clinic: clinicDetails(deps, actor.clinicId).name, ocr: inv.invoice.ocr, amount }) : null;
  await deps.store.db.transaction().execute(async (trx) => {
    if (state === 'finalized' || state === 'refunded') {
      await enqueueJob(trx, { kind: 'paynova.refund', idempotencyKey: key, clinicId: actor.clinicId, subject, payload: { orderNumber: order.orderNumber, amountOre: amount } });
    }
    if (sms) await enqueueJob(trx, { kind: 'sms.send', idempotencyKey: `${key}:sms`, clinicId: actor.clinicId, subject, payload: sms });
  });
}
