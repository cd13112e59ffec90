import type { Kysely } from 'kysely';
import type { LocalDatabase } from '../db/database';
import type { PaynovaClient, PaynovaError, OrderInfo } from '../integrations/paynova/client';
import { productForOption } from '../integrations/paynova/products';
import type { JobContext, JobHandler, JobOutcome } from './runner';

/** One transaction of an order, as order info reports it. */
type Transaction = OrderInfo['transactions'][number];

/** Turns a Paynova error into the job's next step. Only a credit refusal is a business "no". */
export function outcomeOfPaynovaError(e: PaynovaError): JobOutcome {
  if (e.retryable) return { type: 'retry', error: e.message, code: e.code, maybeDelivered: e.maybeDelivered };
  if (e.code === 'paynova.credit_check_refused') {
    return { type: 'failed', error: 'The credit check was refused', code: e.code, result: { outcome: 'refused', reason: e.reason, errorNumber: 'errorNumber' in e ? e.errorNumber : null } };
  }
  const hint = e.code === 'paynova.auth' || e.code === 'paynova.no_credentials' ? ' — check the Paynova merchant id and API password in Settings' : '';
  return { type: 'dead', error: `${e.message}${hint}`, code: e.code };
}

type PaynovaOrderState = 'created' | 'authorized' | 'finalized' | 'annulled' | 'refunded' | 'rejected';

async function recordOrder(db: Kysely<LocalDatabase>, clinicId: string, orderNumber: string, patch: { order_id?: string; transaction_id?: string | null; state: PaynovaOrderState; provider_status?: string | null; last_checked_at?: string }, now: Date): Promise<void> {
  const at = now.toISOString();
  await db
    .insertInto('paynova_order')
    .values({
      order_number: orderNumber,
      clinic_id: clinicId,
      order_id: patch.order_id ?? '',
      transaction_id: patch.transaction_id ?? null,
      state: patch.state,
      provider_status: patch.provider_status ?? null,
      last_checked_at: patch.last_checked_at ?? null,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) =>
      oc.column('order_number').doUpdateSet({
        ...(patch.order_id ? { order_id: patch.order_id } : {}),
        ...(patch.transaction_id !== undefined ? { transaction_id: patch.transaction_id } : {}),
        state: patch.state,
        ...(patch.provider_status !== undefined ? { provider_status: patch.provider_status } : {}),
        ...(patch.last_checked_at !== undefined ? { last_checked_at: patch.last_checked_at } : {}),
        updated_at: at,
      }),
    )
    .execute();
}

async function knownOrder(db: Kysely<LocalDatabase>, orderNumber: string) {
  return db.selectFrom('paynova_order').selectAll().where('order_number', '=', orderNumber).executeTakeFirst();
}

/** The live (not annulled) transaction on an order, from order info. */
function liveTransaction(info: OrderInfo) {
  return info.transactions.find((t) => t.annulledOre < (t.amountOre ?? Number.MAX_SAFE_INTEGER));
}

const WAIT_FOR_CREATE = { type: 'defer', delayMs: 5000, reason: 'Waiting for the order to be registered at Paynova' } as const;

export function paynovaHandlers(paynova: PaynovaClient) {
  const createAuthorize: JobHandler<'paynova.create_authorize'> = async (ctx) => {
    const { order, option } = ctx.payload;
    const orderNumber = order.orderNumber;
    let orderId = typeof ctx.progress.orderId === 'string' ? ctx.progress.orderId : undefined;
    let totalOre = typeof ctx.progress.totalOre === 'number' ? ctx.progress.totalOre : undefined;
    if (!orderId || totalOre === undefined) {
      // Safe to repeat: the order number is the idempotency key (same orderId for the same number).
      const created = await paynova.createOrder(order);
      if (!created.ok) return outcomeOfPaynovaError(created.error);
      orderId = created.value.orderId;
      totalOre = created.value.totalOre;
      await ctx.saveProgress({ orderId, totalOre });
      await recordOrder(ctx.db, ctx.clinicId, orderNumber, { order_id: orderId, state: 'created' }, ctx.now());
    }
    let transactionId = typeof ctx.progress.transactionId === 'string' ? ctx.progress.transactionId : undefined;
    if (!transactionId && ctx.attempt > 1) {
      // An earlier run may have authorized without us seeing the answer: look before authorizing again.
      const info = await paynova.getOrderInfo(orderId);
      if (!info.ok) return outcomeOfPaynovaError(info.error);
      transactionId = liveTransaction(info.value)?.transactionId;
    }
    if (!transactionId) {
      const productId = ctx.payload.productId ?? productForOption(option);
      if (!productId) return { type: 'dead', error: `No Paynova product for ${JSON.stringify(option)}`, code: 'paynova.no_product' };
      const auth = await paynova.authorizePayment({ orderId, totalOre, productId });
      if (!auth.ok) {
        const outcome = outcomeOfPaynovaError(auth.error);
        if (outcome.type === 'failed') await recordOrder(ctx.db, ctx.clinicId, orderNumber, { state: 'rejected' }, ctx.now());
        return outcome;
      }
      transactionId = auth.value.transactionId;
    }
    await ctx.saveProgress({ transactionId });
    await recordOrder(ctx.db, ctx.clinicId, orderNumber, { transaction_id: transactionId, state: 'authorized' }, ctx.now());
    return { type: 'succeeded', result: { orderId, transactionId, totalOre, option, orderNumber } };
  };

  /**
   * The orderId/transactionId the create job recorded. While that job is still on its way the
   * follow-up waits (defer); if it ended without an authorization, the follow-up cannot run either.
   */
  async function target(ctx: JobContext<'paynova.finalize' | 'paynova.annul' | 'paynova.refund'>): Promise<{ orderId: string; transactionId: string } | JobOutcome> {
    const row = await knownOrder(ctx.db, ctx.payload.orderNumber);
    if (row && row.order_id && row.transaction_id) return { orderId: row.order_id, transactionId: row.transaction_id };
    const create = await ctx.db.selectFrom('job').select(['id', 'status']).where('kind', '=', 'paynova.create_authorize').where('idempotency_key', '=', ctx.payload.orderNumber).executeTakeFirst();
    if (!create) return { type: 'dead', error: `No Paynova order ${ctx.payload.orderNumber} was registered from this desk`, code: 'paynova.unknown_order' };
    if (create.status === 'failed' || create.status === 'dead' || create.status === 'cancelled') {
      return { type: 'failed', error: `The order ${ctx.payload.orderNumber} was never authorized at Paynova (its registration ${create.status})`, code: 'paynova.not_authorized', result: { outcome: 'not_authorized', createJobId: create.id } };
    }
    return WAIT_FOR_CREATE;
  }

  /** The target transaction as Paynova sees it now: a retry asks before it acts again. */
  async function transactionNow(t: { orderId: string; transactionId: string }): Promise<{ outcome: JobOutcome } | { tx: Transaction | undefined }> {
    const info = await paynova.getOrderInfo(t.orderId);
    if (!info.ok) return { outcome: outcomeOfPaynovaError(info.error) };
    return { tx: info.value.transactions.find((x) => x.transactionId === t.transactionId) };
  }

  const finalize: JobHandler<'paynova.finalize'> = async (ctx) => {
    const t = await target(ctx);
    if ('type' in t) return t;
    if (ctx.attempt > 1) {
      const now = await transactionNow(t);
      if ('outcome' in now) return now.outcome;
      const tx = now.tx;
      if (tx && tx.finalizedOre >= ctx.payload.amountOre) {
        await recordOrder(ctx.db, ctx.clinicId, ctx.payload.orderNumber, { state: 'finalized' }, ctx.now());
        return { type: 'succeeded', result: { ...t, totalAmountFinalized: tx.finalizedOre, invoiceId: tx.invoiceId, recoveredAfterRetry: true } };
      }
    }
    const r = await paynova.finalize(t.orderId, t.transactionId, ctx.payload.amountOre, ctx.payload.invoiceId);
    if (!r.ok) return outcomeOfPaynovaError(r.error);
    await recordOrder(ctx.db, ctx.clinicId, ctx.payload.orderNumber, { state: 'finalized' }, ctx.now());
    return { type: 'succeeded', result: { ...t, totalAmountFinalized: r.value.totalAmountFinalized, batchId: r.value.batchId, invoiceId: ctx.payload.invoiceId } };
  };

  const annul: JobHandler<'paynova.annul'> = async (ctx) => {
    const t = await target(ctx);
    if ('type' in t) return t;
    if (ctx.attempt > 1) {
      const now = await transactionNow(t);
      if ('outcome' in now) return now.outcome;
      const tx = now.tx;
      if (tx && tx.annulledOre >= ctx.payload.amountOre) {
        await recordOrder(ctx.db, ctx.clinicId, ctx.payload.orderNumber, { state: 'annulled' }, ctx.now());
        return { type: 'succeeded', result: { ...t, annulledOre: tx.annulledOre, recoveredAfterRetry: true } };
      }
    }
    const r = await paynova.annul(t.orderId, t.transactionId, ctx.payload.amountOre);
    if (!r.ok) return outcomeOfPaynovaError(r.error);
    await recordOrder(ctx.db, ctx.clinicId, ctx.payload.orderNumber, { state: 'annulled' }, ctx.now());
    return { type: 'succeeded', result: { ...t, annulledOre: ctx.payload.amountOre } };
  };

  const refund: JobHandler<'paynova.refund'> = async (ctx) => {
    const t = await target(ctx);
    if ('type' in t) return t;
    // A refund is not idempotent at Paynova: remember how much was refunded before our first try,
    // so a retry after a lost answer can tell whether this refund already happened.
    let before = typeof ctx.progress.refundedBefore === 'number' ? ctx.progress.refundedBefore : undefined;
    const now = await transactionNow(t);
    if ('outcome' in now) return now.outcome;
    const refundedNow = now.tx?.refundedOre ?? 0;
    if (before === undefined) {
      before = refundedNow;
      await ctx.saveProgress({ refundedBefore: before });
    } else if (refundedNow >= before + ctx.payload.amountOre) {
      return { type: 'succeeded', result: { ...t, totalAmountRefunded: refundedNow, recoveredAfterRetry: true } };
    }
    const r = await paynova.refund(t.orderId, t.transactionId, ctx.payload.amountOre, ctx.payload.creditLines);
    if (!r.ok) return outcomeOfPaynovaError(r.error);
    await recordOrder(ctx.db, ctx.clinicId, ctx.payload.orderNumber, { state: 'refunded' }, ctx.now());
    return { type: 'succeeded', result: { ...t, totalAmountRefunded: r.value.totalAmountRefunded, canRefundAgain: r.value.canRefundAgain } };
  };

  const reconcile: JobHandler<'reconcile.order'> = async (ctx) => {
    const row = await knownOrder(ctx.db, ctx.payload.orderNumber);
    if (!row || !row.order_id) return { type: 'succeeded', result: { skipped: 'unknown order' } };
    const info = await paynova.getOrderInfo(row.order_id);
    if (!info.ok) return outcomeOfPaynovaError(info.error);
    const tx = row.transaction_id ? info.value.transactions.find((x) => x.transactionId === row.transaction_id) : liveTransaction(info.value);
    let state = row.state as PaynovaOrderState;
    if (info.value.status?.toLowerCase() === 'cancelled' || (tx && tx.amountOre !== null && tx.annulledOre >= tx.amountOre)) state = 'annulled';
    else if (tx && tx.refundedOre > 0) state = 'refunded';
    else if (tx && tx.finalizedOre > 0) state = 'finalized';
    else if (tx && state === 'created') state = 'authorized';
    await recordOrder(ctx.db, ctx.clinicId, ctx.payload.orderNumber, { state, provider_status: info.value.status, last_checked_at: ctx.now().toISOString(), ...(tx ? { transaction_id: tx.transactionId } : {}) }, ctx.now());
    return {
      type: 'succeeded',
      result: {
        orderNumber: ctx.payload.orderNumber,
        providerStatus: info.value.status,
        state,
        finalizedOre: tx?.finalizedOre ?? 0,
        annulledOre: tx?.annulledOre ?? 0,
        refundedOre: tx?.refundedOre ?? 0,
      },
    };
  };

  return {
    'paynova.create_authorize': createAuthorize,
    'paynova.finalize': finalize,
    'paynova.annul': annul,
    'paynova.refund': refund,
    'reconcile.order': reconcile,
  } as const;
}
