import type { Order, Patient } from '../../src-shared/schemas/entities';
import type { SmsTemplateKey } from '../../src-shared/schemas/providers';
import { renderSms, type SmsValues } from '../integrations/twilio/templates';
import type { CreateOrderInput } from '../integrations/paynova/order-body';
import type { Db } from '../db/activity-chain';
import { enqueueJob } from '../jobs/queue';
import type { Actor } from '../services/actor';
import { readInvoiceForOrder, type IssuedInvoice } from '../services/invoices';
import { readOrder } from '../services/orders';
import { readPatient } from '../services/patients';
import type { AlsoInTransaction } from '../services/write';
import { clinicDetails } from './handlers/orders';
import type { CoreDeps } from './deps';
import { centralSettings, smsTemplateOverrides } from './service-settings';

/**
 * What follows a desk action at the providers: register and authorize the order at Paynova,
 * activate (finalize) it, and tell the patient by SMS; annul or refund after a cancel or credit.
 * Each is a durable job keyed by the order number, so a retry never registers an order twice.
 *
 * The jobs are the write's `also` hook: they are enqueued in the service's own transaction,
 * before its COMMIT, so the action's rows, outbox mutation, activity record and jobs commit or
 * vanish together (ARCHITECTURE.md, Integrations). A crash can no longer leave an issued invoice
 * that Paynova never hears of, and a job that cannot be enqueued rolls the action back.
 *
 * An SMS the patient does not get (no phone, no consent, replied STOP, or a template that does
 * not render) is a fact the desk sees (the order's SMS list stays empty), not a failure of the
 * action: smsJob returns null and the invoice, cancel or credit commits without it. The hooks
 * read through `trx` only: the store has one connection, so `store.db` would wait on itself.
 */

function smsJob(deps: CoreDeps, patient: Patient, key: SmsTemplateKey, values: SmsValues): { to: string; body: string; template: string; patientId: string } | null {
  if (!patient.phone || !patient.smsConsent || patient.smsBlockedReason) return null;
  const overrides = smsTemplateOverrides(centralSettings(deps), deps.settings.readOrDefaults().sms.templates);
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

/** invoice.issue's jobs: register and authorize at Paynova, finalize, and the invoice SMS. */
export function afterIssue(deps: CoreDeps, actor: Actor): AlsoInTransaction<IssuedInvoice> {
  const clinic = clinicDetails(deps, actor.clinicId);
  return async (trx, issued) => {
    const { invoice } = issued;
    const order = await readOrder(trx, invoice.orderId);
    const patient = await readPatient(trx, actor, order.patientId);
    if (!patient) throw new Error(`order ${order.id}: its patient is not in this clinic`);
    const sms = smsJob(deps, patient, 'invoice_issued', {
      clinic: clinic.name, amount: order.total, dueDate: invoice.dueDate, ocr: invoice.ocr, link: `${deps.paymentLinkBase}/${encodeURIComponent(order.orderNumber)}`,
    });
    const subject = `order:${order.id}`;
    await enqueueJob(trx, { kind: 'paynova.create_authorize', idempotencyKey: order.orderNumber, clinicId: actor.clinicId, subject, payload: { order: paynovaOrder(order, patient), option: invoice.paymentOption } });
    await enqueueJob(trx, { kind: 'paynova.finalize', idempotencyKey: order.orderNumber, clinicId: actor.clinicId, subject, payload: { orderNumber: order.orderNumber, amountOre: order.total, invoiceId: invoice.invoiceNumber } });
    if (sms) await enqueueJob(trx, { kind: 'sms.send', idempotencyKey: `${order.orderNumber}:invoice_issued`, clinicId: actor.clinicId, subject, payload: sms });
  };
}

async function paynovaState(db: Db, orderNumber: string): Promise<string | null> {
  const row = await db.selectFrom('paynova_order').select('state').where('order_number', '=', orderNumber).executeTakeFirst();
  return row?.state ?? null;
}

/** order.cancel's jobs: annul what is still outstanding at Paynova, and the cancellation SMS. `before` is the order as it was. */
export function afterCancel(deps: CoreDeps, actor: Actor, before: Order): AlsoInTransaction<unknown> {
  const clinic = clinicDetails(deps, actor.clinicId);
  return async (trx) => {
    if (before.status === 'draft') return;
    const patient = await readPatient(trx, actor, before.patientId);
    const inv = await readInvoiceForOrder(trx, actor, before.id);
    const state = await paynovaState(trx, before.orderNumber);
    const subject = `order:${before.id}`;
    const outstanding = before.total - before.paidTotal - before.creditedTotal;
    const sms = patient && inv ? smsJob(deps, patient, 'cancelled', { clinic: clinic.name, ocr: inv.invoice.ocr }) : null;
    if (state && state !== 'annulled' && state !== 'rejected' && outstanding > 0) {
      await enqueueJob(trx, { kind: 'paynova.annul', idempotencyKey: before.orderNumber, clinicId: actor.clinicId, subject, payload: { orderNumber: before.orderNumber, amountOre: outstanding } });
    }
    if (sms) await enqueueJob(trx, { kind: 'sms.send', idempotencyKey: `${before.orderNumber}:cancelled`, clinicId: actor.clinicId, subject, payload: sms });
  };
}

/** order.credit's jobs: refund at Paynova once finalized, and the credit SMS. */
export function afterCredit(deps: CoreDeps, actor: Actor, amount: number): AlsoInTransaction<{ order: Order }> {
  const clinic = clinicDetails(deps, actor.clinicId);
  return async (trx, { order }) => {
    const patient = await readPatient(trx, actor, order.patientId);
    const inv = await readInvoiceForOrder(trx, actor, order.id);
    const state = await paynovaState(trx, order.orderNumber);
    const subject = `order:${order.id}`;
    const key = `${order.orderNumber}:credit:${order.creditedTotal}`;
    const sms = patient && inv ? smsJob(deps, patient, 'credited', { clinic: clinic.name, ocr: inv.invoice.ocr, amount }) : null;
    if (state === 'finalized' || state === 'refunded') {
      await enqueueJob(trx, { kind: 'paynova.refund', idempotencyKey: key, clinicId: actor.clinicId, subject, payload: { orderNumber: order.orderNumber, amountOre: amount } });
    }
    if (sms) await enqueueJob(trx, { kind: 'sms.send', idempotencyKey: `${key}:sms`, clinicId: actor.clinicId, subject, payload: sms });
  };
}
