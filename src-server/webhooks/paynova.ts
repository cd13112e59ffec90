import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CancelReason, FailureReason } from '../../src-shared/domain/order-state';
import type { Order } from '../../src-shared/schemas/entities';
import { interpretPaynovaEvent, PaynovaEventHookForm, type PaynovaEvent } from '../../src-shared/schemas/providers';
import { sameDigest, sha256 } from '../auth/crypto';
import type { ServerDb } from '../db/connect';
import { inClinicTransaction } from '../sync/transact';
import { applyProviderOutcome, type ProviderOrderEvent } from './apply-outcome';
import { hookActivity, parseForm, refusal, type HookReply } from './form';
import { paynovaMerchant } from './provider-config';
import { webhooksDb } from './schema';
import { ServerKeyError, type Sealer } from './sealed';

/** "2016-11-06 12:22:19Z" (integrations.md). */
const PaynovaTime = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/, 'must look like 2016-11-06 12:22:19Z');
const Hex40 = z.string().regex(/^[0-9A-Fa-f]{40}$/, 'must be 40 hex digits');
const Short = (max: number) => z.string().max(max);

/** The shared reading of the form (providers.ts), bounded field by field for an outside input. */
export const PaynovaHookBody = PaynovaEventHookForm.extend({
  EVENT_TYPE: z.string().regex(/^[A-Z_]{1,40}$/, 'must be an UPPER_SNAKE event type'),
  EVENT_TIMESTAMP: PaynovaTime,
  DELIVERY_TIMESTAMP: PaynovaTime,
  MERCHANT_ID: z.string().min(1).max(50),
  DIGEST: Hex40,
  ORDER_ID: Short(64).optional(),
  ORDER_NUMBER: Short(50).optional(),
  SESSION_ID: Short(64).optional(),
  TRANSACTION_ID: Short(64).optional(),
  PAYMENT_STATUS: Short(40).optional(),
  PAYMENT_STATUS_REASON: Short(60).optional(),
  AMOUNT: z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, 'must be an amount like 125.00').optional(),
  CURRENCY_CODE: z.string().regex(/^[A-Z]{3}$/, 'must be a currency code like SEK').optional(),
  SESSION_STATUS: Short(40).optional(),
  SESSION_STATUS_REASON: Short(60).optional(),
}).catchall(Short(2000));
export type PaynovaHookBody = z.infer<typeof PaynovaHookBody>;

export interface PaynovaHookOptions {
  /** A delivery older (or further ahead, for clock skew) than this is refused. */
  readonly deliveryWindowMs: number;
  readonly clockSkewMs: number;
  /** An event older than this is refused even in a fresh delivery. */
  readonly maxEventAgeMs: number;
  readonly now: () => Date;
}

export const DEFAULT_PAYNOVA_HOOK_OPTIONS: PaynovaHookOptions = {
  deliveryWindowMs: 10 * 60_000,
  clockSkewMs: 2 * 60_000,
  maxEventAgeMs: 24 * 3600_000,
  now: () => new Date(),
};

const sha1Hex = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex');
const paynovaTime = (s: string) => Date.parse(s.replace(' ', 'T'));

/**
 * The event's identity (not its delivery): a retried delivery has the same key and a fresh
 * DELIVERY_TIMESTAMP and DIGEST.
 */
function eventKey(f: PaynovaHookBody): string {
  return sha256(JSON.stringify([f.MERCHANT_ID, f.EVENT_TYPE, f.ORDER_ID ?? '', f.TRANSACTION_ID ?? '', f.EVENT_TIMESTAMP, f.PAYMENT_STATUS ?? '', f.SESSION_STATUS ?? '']));
}

/** What a PAYMENT event asks of the order, or why it asks nothing. */
function orderEventFor(event: PaynovaEvent, order: Order): ProviderOrderEvent | { none: string } {
  const p = event.payment;
  if (!p) return { none: 'no PAYMENT_STATUS' };
  switch (p.outcome) {
    case 'completed':
      // For an installment product, Paynova's COMPLETED follows the finalize that activated the
      // credit agreement: the plan runs from here, and the patient pays Paynova, not the clinic.
      return order.paymentOption?.kind === 'installments' ? { type: 'plan_started' } : { type: 'payment_completed' };
    case 'failed': {
      const reason = FailureReason.safeParse(p.reason);
      return { type: 'payment_failed', reason: reason.success ? reason.data : 'provider_error' };
    }
    case 'cancelled': {
      const reason = CancelReason.safeParse(p.reason);
      return { type: 'cancelled', reason: reason.success ? reason.data : 'cancelled_by_customer' };
    }
    case 'authorized':
      return { none: 'authorized: the credit check passed; nothing is committed until the desk finalizes' };
    case 'pending':
      return { none: 'pending' };
    default:
      return { none: `unknown PAYMENT_STATUS ${p.rawStatus}` };
  }
}

export interface PaynovaHookRequest {
  readonly rawBody: string;
  readonly pnDigest: string | undefined;
  readonly ip: string;
}

/**
 * POST /v1/webhooks/paynova. Order of checks: the form (400 naming the field), the merchant (403),
 * both digests, constant-time (401 without Pn-Digest, 403 when either is wrong), the freshness of
 * the delivery and the event (403), then in ONE clinic transaction: a byte-identical replay of an
 * accepted delivery (409), a retried delivery of an event already handled (200, not applied
 * again), or the event applied to the order with its money events, notices, the change feed and
 * the activity record. Every refusal is an activity record; no secret or digest is ever in one.
 */
export async function handlePaynovaHook(sdb: ServerDb, sealer: Sealer, opts: PaynovaHookOptions, req: PaynovaHookRequest): Promise<HookReply> {
  const parsed = parseForm(PaynovaHookBody, req.rawBody);
  if (!parsed.ok) return parsed.reply;
  const f = parsed.value;
  const facts = { merchantId: f.MERCHANT_ID, eventType: f.EVENT_TYPE, orderNumber: f.ORDER_NUMBER ?? null, eventTimestamp: f.EVENT_TIMESTAMP };
  const refuse = async (clinicId: string, status: number, error: string, message: string) => {
    await hookActivity(sdb, { clinicId, action: 'webhook.paynova', subject: f.ORDER_NUMBER ? `order_number:${f.ORDER_NUMBER}` : null, outcome: 'refused', ip: req.ip, details: { ...facts, why: error } });
    return refusal(status, error, message);
  };

  let merchant: { clinicId: string; secretKey: string } | null;
  try {
    merchant = await paynovaMerchant(sdb, sealer, f.MERCHANT_ID);
  } catch (e) {
    if (e instanceof ServerKeyError) return refusal(503, 'webhooks_not_configured', 'This server cannot verify provider webhooks (no usable server key).');
    throw e;
  }
  if (!merchant) return refuse('service', 403, 'unknown_merchant', 'No clinic is configured for this merchant.');
  if (req.pnDigest === undefined) return refuse(merchant.clinicId, 401, 'digest_missing', 'The Pn-Digest header is missing.');
  const bodyOk = sameDigest(f.DIGEST, sha1Hex([f.EVENT_TYPE, f.EVENT_TIMESTAMP, f.DELIVERY_TIMESTAMP, f.MERCHANT_ID, merchant.secretKey].join(';')));
  const headerOk = /^[0-9A-Fa-f]{40}$/.test(req.pnDigest) && sameDigest(req.pnDigest, sha1Hex(req.rawBody + merchant.secretKey));
  if (!bodyOk || !headerOk) return refuse(merchant.clinicId, 403, 'bad_digest', 'The event hook is not signed with this merchant\'s secret key.');

  const now = opts.now().getTime();
  const delivered = paynovaTime(f.DELIVERY_TIMESTAMP);
  const happened = paynovaTime(f.EVENT_TIMESTAMP);
  if (!(delivered >= now - opts.deliveryWindowMs && delivered <= now + opts.clockSkewMs)) {
    return refuse(merchant.clinicId, 403, 'stale_delivery', 'The delivery is outside the accepted time window (replayed or clock far off).');
  }
  if (!(happened >= now - opts.maxEventAgeMs && happened <= delivered + opts.clockSkewMs)) {
    return refuse(merchant.clinicId, 403, 'stale_event', 'The event is older than the accepted window.');
  }

  const clinicId = merchant.clinicId;
  const key = eventKey(f);
  const bodyHash = sha256(req.rawBody);
  const { value } = await inClinicTransaction(sdb, clinicId, async (w, trx, at): Promise<HookReply> => {
    const db = webhooksDb(trx);
    const activity = (outcome: 'ok' | 'failed' | 'refused', details: Record<string, string | number | boolean | null>, subject: string | null = null) =>
      hookActivity(sdb, { clinicId, action: 'webhook.paynova', subject, outcome, ip: req.ip, details: { ...facts, ...details } }, trx);
    if (await db.selectFrom('webhook_deliveries').select('body_hash').where('provider', '=', 'paynova').where('body_hash', '=', bodyHash).executeTakeFirst()) {
      await activity('refused', { why: 'replayed_delivery' });
      return refusal(409, 'replayed', 'This exact delivery was received before.');
    }
    const seen = await db.selectFrom('webhook_events').select('outcome').where('provider', '=', 'paynova').where('event_key', '=', key).executeTakeFirst();
    const accept = async (outcome: string) => {
      await db.insertInto('webhook_deliveries').values({ provider: 'paynova', body_hash: bodyHash, received_at: at }).execute();
      if (!seen) await db.insertInto('webhook_events').values({ provider: 'paynova', event_key: key, clinic_id: clinicId, outcome, received_at: at }).execute();
    };
    if (seen) {
      await accept(seen.outcome);
      await activity('ok', { why: 'duplicate_delivery', firstOutcome: seen.outcome });
      return { status: 200, body: { ok: true, duplicate: true, outcome: seen.outcome } };
    }

    const event = interpretPaynovaEvent(f);
    if (f.EVENT_TYPE !== 'PAYMENT') {
      // SESSION_END follows a PAYMENT of its own; REFUND confirms a credit the desk already booked.
      await accept('recorded');
      await activity('ok', { result: 'recorded', sessionStatus: f.SESSION_STATUS ?? null, paymentStatus: f.PAYMENT_STATUS ?? null });
      return { status: 200, body: { ok: true, outcome: 'recorded' } };
    }
    const owner = f.ORDER_NUMBER
      ? await trx.selectFrom('unique_keys').select('owner_id').where('clinic_id', '=', clinicId).where('kind', '=', 'order_number').where('key', '=', f.ORDER_NUMBER).executeTakeFirst()
      : undefined;
    const doc = owner ? await w.get('order', owner.owner_id) : null;
    const order = doc as unknown as Order | null;
    if (!order || order.status === 'draft') {
      // The desk's invoice.issue may still be on its way: answer non-2xx so Paynova retries, and
      // leave no idempotency record so the retry is processed.
      await activity('failed', { why: order ? 'order_still_draft' : 'unknown_order_number' });
      return refusal(409, 'order_not_synced', `Order ${f.ORDER_NUMBER ?? '(none)'} is not invoiced on the server yet.`);
    }
    const subject = `order:${order.id}`;
    const mapped = orderEventFor(event, order);
    const raw = { paymentStatus: f.PAYMENT_STATUS ?? null, paymentStatusReason: f.PAYMENT_STATUS_REASON ?? null, amount: f.AMOUNT ?? null };
    if ('none' in mapped) {
      await accept('recorded');
      await activity('ok', { ...raw, result: 'recorded', note: mapped.none }, subject);
      return { status: 200, body: { ok: true, outcome: 'recorded', status: order.status } };
    }
    if (f.CURRENCY_CODE && f.CURRENCY_CODE !== 'SEK') {
      const message = `Paynova reported ${f.PAYMENT_STATUS ?? ''} in ${f.CURRENCY_CODE} for order ${order.orderNumber}; only SEK is booked automatically.`;
      w.put('notice', key, { kind: 'provider_event_not_applied', id: key, orderId: order.id, orderNumber: order.orderNumber, event: mapped.type, source: 'paynova', message, at }, null);
      await accept('not_applied');
      await activity('failed', { ...raw, result: 'not_applied', why: 'currency' }, subject);
      return { status: 200, body: { ok: true, outcome: 'not_applied', status: order.status } };
    }
    const result = applyProviderOutcome(w, order, mapped, event.amountOre, at, `paynova ${f.PAYMENT_STATUS ?? ''} ${f.TRANSACTION_ID ?? ''}`.trim());
    const outcome = result.applied ? 'applied' : 'not_applied';
    await accept(outcome);
    await activity(result.applied ? 'ok' : 'failed', { ...raw, result: outcome, event: mapped.type, status: result.status, message: result.message }, subject);
    return { status: 200, body: { ok: true, outcome, status: result.status } };
  });
  return value;
}
