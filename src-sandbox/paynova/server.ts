import { randomInt, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { toProviderAmount } from '../../src-shared/domain/money';
import { basicAuth, CONTROL_PREFIX, createSimServer, parseControl, sendProviderError, type SimServer } from '../common/sim-server';
import { paynovaTimestamp } from '../common/time';
import { fakeAddress } from './address';
import {
  CompleteSessionInput,
  ControlOrderParam,
  CreditCheckInput,
  CustomerProfileInput,
  EventHookConfigInput,
  FAILURE_MAPPING,
  FailPaymentInput,
  InstallmentsInput,
  MerchantInput,
  WebhookInput,
} from './control-schemas';
import { failure, httpFailure, success, validationFailure, zodToPaynovaErrors, type PaynovaFieldError } from './envelope';
import { EventHookDispatcher, type EventFields, type EventType } from './event-hooks';
import { isValidGovernmentId } from './government-id';
import { paymentOptions } from './payment-options';
import {
  AuthorizePaymentBody,
  CreateOrderBody,
  InitializePaymentBody,
  OrderIdParam,
  PaymentOptionsBody,
  productForMonths,
  SimpleCreateParams,
  TransactionActionBody,
  TransactionParams,
  type LineItem,
} from './schemas';
import { newTransactionId, PaynovaState, type ControlOrderView, type Merchant, type Order, type Transaction } from './state';

export interface PaynovaSimOptions {
  /** Event-hook retry interval; Paynova uses 5 s, tests want milliseconds. */
  eventHookRetryIntervalMs?: number;
}

export interface PaynovaSim extends SimServer {
  state: PaynovaState;
  hooks: EventHookDispatcher;
}

type Req = FastifyRequest & { merchant?: Merchant };

const BODY_LIMIT = 256 * 1024;

/** Amount fields in JSON responses: a number with two decimals' worth of precision (125.5 → 125.5). */
const amountNumber = (ore: number) => Number(toProviderAmount(ore));

export function createPaynovaSim(opts: PaynovaSimOptions = {}): PaynovaSim {
  const state = new PaynovaState();
  const hooks = new EventHookDispatcher();
  const applyDefaults = () => {
    if (opts.eventHookRetryIntervalMs !== undefined) hooks.config.retryIntervalMs = opts.eventHookRetryIntervalMs;
  };
  applyDefaults();
  let baseUrl = 'http://127.0.0.1';

  const sim = createSimServer({
    name: 'paynova',
    bodyLimit: BODY_LIMIT,
    renderError: httpFailure,
    state: () => ({ ...state.snapshot(), eventHooks: { config: hooks.config, deliveries: hooks.deliveries } }),
    reset: () => {
      state.reset();
      hooks.reset();
      applyDefaults();
    },
  });
  const { app } = sim;

  // ---------- authentication: HTTP Basic merchant id : API password ----------
  const isPublic = (url: string) => url.startsWith(CONTROL_PREFIX) || url.startsWith('/hosted/') || url.startsWith('/legal/');
  app.addHook('onRequest', async (request, reply) => {
    if (isPublic(request.url)) return;
    const auth = basicAuth(request);
    const merchant = auth ? state.merchants.get(auth.username) : undefined;
    if (!auth || !merchant || merchant.apiPassword !== auth.password) {
      sendProviderError(reply, httpFailure(401, 'Authorization has been denied for this request.'));
      return reply;
    }
    (request as Req).merchant = merchant;
  });

  const merchantOf = (request: FastifyRequest): Merchant => (request as Req).merchant!;
  const ok = (reply: FastifyReply, body: object = {}, code = 200) => reply.code(code).send({ status: success(), ...body });
  const fail = (reply: FastifyReply, envelope: object) => reply.code(200).send(envelope);
  const invalid = (reply: FastifyReply, error: z.ZodError) => fail(reply, validationFailure(zodToPaynovaErrors(error)));
  const fieldError = (errorCode: string, fieldName: string, message: string): PaynovaFieldError => ({ errorCode, fieldName, message });

  // ---------- event hooks ----------
  function emit(merchant: Merchant, order: Order | undefined, eventType: EventType, fields: EventFields): void {
    const sessionUrl = order?.sessions.find((s) => s.urlCallback !== undefined)?.urlCallback;
    const url = sessionUrl ?? merchant.callbackUrl;
    if (url === undefined) return;
    hooks.emit({ eventType, merchantId: merchant.merchantId, secretKey: merchant.secretKey, url, fields });
  }

  function emitPayment(order: Order, status: string, reason: string, amountOre: number, tx?: Transaction, eventType: EventType = 'PAYMENT'): void {
    const merchant = state.merchants.get(order.merchantId);
    if (!merchant) return;
    order.lastPaymentStatus = { status, reason, at: new Date().toISOString() };
    emit(merchant, order, eventType, {
      ORDER_ID: order.orderId,
      ORDER_NUMBER: order.orderNumber,
      // UNSURE: what Paynova sends here for payments that had no hosted session.
      SESSION_ID: tx?.sessionId ?? order.sessions.at(-1)?.sessionId ?? '',
      PAYMENT_STATUS: status,
      PAYMENT_STATUS_REASON: reason,
      AMOUNT: toProviderAmount(amountOre),
      CURRENCY_CODE: order.currencyCode,
      TRANSACTION_ID: tx?.transactionId ?? '',
    });
  }

  function emitSessionEnd(order: Order, sessionId: string, status: 'COMPLETED' | 'CANCELLED' | 'EXPIRED', reason = 'NONE'): void {
    const merchant = state.merchants.get(order.merchantId);
    if (!merchant) return;
    emit(merchant, order, 'SESSION_END', {
      ORDER_ID: order.orderId,
      ORDER_NUMBER: order.orderNumber,
      SESSION_ID: sessionId,
      SESSION_STATUS: status,
      SESSION_STATUS_REASON: reason,
      CUSTOM_DATA_COUNT: '0',
    });
  }

  // ---------- orders ----------
  function createOrder(request: FastifyRequest, reply: FastifyReply, input: unknown, detailed: boolean) {
    const parsed = CreateOrderBody.safeParse(input);
    if (!parsed.success) return invalid(reply, parsed.error);
    const merchant = merchantOf(request);
    const body = parsed.data;
    // UNSURE: the real Paynova may reject a repeated orderNumber instead; the sandbox answers with
    // the SAME orderId so a client retrying after a lost response never registers an order twice.
    const existing = state.findOrderByNumber(merchant.merchantId, body.orderNumber);
    if (existing) {
      existing.createRequests += 1;
      return ok(reply, { orderId: existing.orderId }, 200);
    }
    const order: Order = {
      orderId: state.newOrderId(),
      merchantId: merchant.merchantId,
      orderNumber: body.orderNumber,
      currencyCode: body.currencyCode,
      totalOre: body.totalAmount,
      lineItems: body.lineItems ?? [],
      detailed,
      createdAt: new Date(),
      status: 'Open',
      sessions: [],
      transactionIds: [],
      createRequests: 1,
    };
    if (body.orderDescription !== undefined) order.orderDescription = body.orderDescription;
    if (body.salesChannel !== undefined) order.salesChannel = body.salesChannel;
    if (body.salesLocationId !== undefined) order.salesLocationId = body.salesLocationId;
    if (body.customer !== undefined) order.customer = body.customer;
    if (body.billTo !== undefined) order.billTo = body.billTo;
    if (body.shipTo !== undefined) order.shipTo = body.shipTo;
    state.orders.set(order.orderId, order);
    return ok(reply, { orderId: order.orderId }, 201);
  }

  app.post('/orders/create', async (request, reply) => createOrder(request, reply, request.body ?? {}, true));

  app.post('/orders/create/:orderNumber/:totalAmount/:currencyCode', async (request, reply) => {
    const params = SimpleCreateParams.safeParse(request.params);
    if (!params.success) return invalid(reply, params.error);
    const body = z.record(z.string(), z.unknown()).optional().safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    const raw = request.params as { orderNumber: string; totalAmount: string; currencyCode: string };
    // Path values win over body values.
    return createOrder(request, reply, { ...(body.data ?? {}), ...raw }, false);
  });

  function findOrder(request: FastifyRequest, reply: FastifyReply): Order | undefined {
    const params = OrderIdParam.safeParse({ orderId: (request.params as { orderId?: unknown }).orderId });
    if (!params.success) {
      invalid(reply, params.error);
      return undefined;
    }
    const order = state.order(merchantOf(request).merchantId, params.data.orderId);
    if (!order) fail(reply, failure('ORDER_NOT_FOUND', `No order with id ${params.data.orderId} was found.`));
    return order;
  }

  app.post('/paymentoptions', async (request, reply) => {
    const parsed = PaymentOptionsBody.safeParse(request.body ?? {});
    if (!parsed.success) return invalid(reply, parsed.error);
    return ok(reply, paymentOptions(baseUrl));
  });

  app.post('/orders/:orderId/authorizePayment', async (request, reply) => {
    const order = findOrder(request, reply);
    if (!order) return reply;
    const parsed = AuthorizePaymentBody.safeParse(request.body ?? {});
    if (!parsed.success) return invalid(reply, parsed.error);
    const body = parsed.data;
    if (body.totalAmount !== order.totalOre) {
      return fail(reply, validationFailure([fieldError('TotalAmountIsInvalid', 'TotalAmount', `totalAmount must equal the order's total ${toProviderAmount(order.totalOre)}.`)]));
    }
    if (order.status === 'Cancelled') {
      return fail(reply, validationFailure([fieldError('OrderIsCancelled', 'OrderId', 'The order has been annulled.')]));
    }
    const governmentId = order.customer?.governmentId;
    if (!order.detailed || governmentId === undefined) {
      return fail(
        reply,
        validationFailure([fieldError('GovernmentIdIsRequired', 'GovernmentId', 'Invoice and installment products need a detailed order with customer.governmentId.')]),
      );
    }
    if (state.refusedGovernmentIds.has(governmentId)) {
      return fail(reply, failure('CUST_ACCT_NOT_ELIGIBLE', 'The customer is not eligible for this payment method (credit check refused).'));
    }
    // UNSURE: a repeated authorize may create a second transaction at the real Paynova; the
    // sandbox returns the live one so a retried job cannot double-authorize.
    let tx = state.activeTransaction(order);
    if (!tx) {
      tx = state.addTransaction(order, body.paymentMethodProductId, body.totalAmount, body.paymentMethodId);
      // UNSURE whether direct (API) authorizations also trigger a PAYMENT event hook.
      emitPayment(order, 'AUTHORIZED', 'NONE', tx.amountOre, tx);
    }
    return ok(reply, {
      orderId: order.orderId,
      transactionId: tx.transactionId,
      acquirerId: tx.acquirerId,
      acquirerReferenceId: tx.acquirerReferenceId,
    });
  });

  app.post('/orders/:orderId/initializePayment', async (request, reply) => {
    const order = findOrder(request, reply);
    if (!order) return reply;
    const parsed = InitializePaymentBody.safeParse(request.body ?? {});
    if (!parsed.success) return invalid(reply, parsed.error);
    const body = parsed.data;
    if (body.totalAmount !== order.totalOre) {
      return fail(reply, validationFailure([fieldError('TotalAmountIsInvalid', 'TotalAmount', `totalAmount must equal the order's total ${toProviderAmount(order.totalOre)}.`)]));
    }
    const sessionId = randomUUID();
    const session = {
      sessionId,
      orderId: order.orderId,
      amountOre: body.totalAmount,
      url: `${baseUrl}/hosted/${sessionId}`,
      paymentChannelId: body.paymentChannelId,
      status: 'open' as const,
      createdAt: new Date().toISOString(),
      ...(body.interfaceOptions.urlCallback === undefined ? {} : { urlCallback: body.interfaceOptions.urlCallback }),
    };
    order.sessions.push(session);
    return ok(reply, { orderId: order.orderId, sessionId, url: session.url });
  });

  function findTransaction(request: FastifyRequest, reply: FastifyReply) {
    const order = findOrder(request, reply);
    if (!order) return undefined;
    const params = TransactionParams.safeParse(request.params);
    if (!params.success) {
      invalid(reply, params.error);
      return undefined;
    }
    const tx = state.transactions.get(params.data.transactionId);
    if (!tx || tx.orderId !== order.orderId) {
      fail(reply, validationFailure([fieldError('TransactionIdIsInvalid', 'TransactionId', 'No such transaction on this order.')]));
      return undefined;
    }
    const body = TransactionActionBody.safeParse(request.body);
    if (!body.success) {
      invalid(reply, body.error);
      return undefined;
    }
    return { order, tx, amountOre: params.data.amount, body: body.data };
  }

  const lineSum = (lines: LineItem[]) => lines.reduce((acc, l) => acc + l.totalLineAmount, 0);

  app.post('/orders/:orderId/transactions/:transactionId/finalize/:amount', async (request, reply) => {
    const found = findTransaction(request, reply);
    if (!found) return reply;
    const { order, tx, amountOre, body } = found;
    if (tx.state === 'annulled') {
      return fail(reply, validationFailure([fieldError('TransactionIsAnnulled', 'TransactionId', 'The authorization has been annulled.')]));
    }
    const remaining = tx.amountOre - tx.annulledOre - tx.finalizedOre;
    if (amountOre > remaining) {
      return fail(reply, failure('FINALIZE_AMT_EXCEEDED', `The amount exceeds the amount remaining for finalization (${toProviderAmount(remaining)}).`));
    }
    if (amountOre < remaining) {
      return fail(reply, validationFailure([fieldError('AmountIsInvalid', 'Amount', 'Invoice and installment products can only be finalized for the full amount.')]));
    }
    if (body.lineItems !== undefined && !order.detailed) {
      return fail(reply, failure('LINE_ITEMS_NOT_ALLOWED', 'Line items are not allowed for an order created without line items.'));
    }
    if (body.lineItems !== undefined && lineSum(body.lineItems) !== amountOre) {
      return fail(reply, validationFailure([fieldError('TotalAmountIsInvalid', 'Amount', 'The amount must equal the sum of lineItems[].totalLineAmount.')]));
    }
    tx.state = 'finalized';
    tx.finalizedOre += amountOre;
    tx.batchId = String(randomInt(100_000, 999_999));
    if (body.invoiceId !== undefined) tx.invoiceId = body.invoiceId;
    // No event hook: finalizing activates the invoice; the patient has not paid anything yet.
    return ok(reply, {
      transactionId: tx.transactionId,
      batchId: tx.batchId,
      acquirerId: String(tx.acquirerId),
      totalAmountFinalized: amountNumber(tx.finalizedOre),
      totalAmountPendingFinalization: 0,
      canFinalizeAgain: false,
      amountRemainingForFinalization: 0,
    });
  });

  app.post('/orders/:orderId/transactions/:transactionId/annul/:amount', async (request, reply) => {
    const found = findTransaction(request, reply);
    if (!found) return reply;
    const { order, tx, amountOre } = found;
    if (tx.state === 'finalized') {
      return fail(reply, validationFailure([fieldError('TransactionIsFinalized', 'TransactionId', 'A finalized transaction cannot be annulled; refund it instead.')]));
    }
    if (tx.state === 'annulled') {
      return fail(reply, validationFailure([fieldError('TransactionIsAnnulled', 'TransactionId', 'The authorization is already annulled.')]));
    }
    const remaining = tx.amountOre - tx.annulledOre;
    if (amountOre > remaining || amountOre === 0) {
      return fail(reply, validationFailure([fieldError('AmountIsInvalid', 'Amount', `The amount must be between 0.01 and ${toProviderAmount(remaining)}.`)]));
    }
    tx.annulledOre += amountOre;
    if (tx.annulledOre === tx.amountOre) {
      tx.state = 'annulled';
      if (state.orderTransactions(order).every((t) => t.state === 'annulled')) order.status = 'Cancelled';
    }
    return ok(reply);
  });

  app.post('/orders/:orderId/transactions/:transactionId/refund/:amount', async (request, reply) => {
    const found = findTransaction(request, reply);
    if (!found) return reply;
    const { order, tx, amountOre, body } = found;
    if (tx.state !== 'finalized') {
      return fail(reply, validationFailure([fieldError('TransactionIsNotFinalized', 'TransactionId', 'Only a finalized transaction can be refunded; annul it instead.')]));
    }
    const refunded = tx.refunds.reduce((acc, r) => acc + r.amountOre, 0);
    const remaining = tx.finalizedOre - refunded;
    if (amountOre > remaining || amountOre === 0) {
      return fail(reply, validationFailure([fieldError('AmountIsInvalid', 'Amount', `The amount must be between 0.01 and ${toProviderAmount(remaining)} (remaining for refund).`)]));
    }
    const partial = amountOre !== tx.finalizedOre;
    if (partial && (body.lineItems === undefined || body.lineItems.length === 0)) {
      return fail(reply, failure('LINE_ITEMS_REQUIRED', 'A partial refund must name the refunded line items.'));
    }
    if (body.lineItems !== undefined && body.lineItems.length > 0) {
      if (!order.detailed) return fail(reply, failure('LINE_ITEMS_NOT_ALLOWED', 'Line items are not allowed for an order created without line items.'));
      if (lineSum(body.lineItems) !== amountOre) {
        return fail(reply, validationFailure([fieldError('TotalAmountIsInvalid', 'Amount', 'The amount must equal the sum of lineItems[].totalLineAmount.')]));
      }
      const known = new Set(order.lineItems.map((l) => l.id));
      const unknown = body.lineItems.find((l) => !known.has(l.id));
      if (unknown) return fail(reply, validationFailure([fieldError('LineItemIdIsInvalid', 'Id', `Line item ${unknown.id} is not on the order.`)]));
    }
    const refund = { transactionId: newTransactionId(), amountOre, lineItems: body.lineItems ?? [], at: new Date().toISOString() };
    tx.refunds.push(refund);
    const totalRefunded = refunded + amountOre;
    // UNSURE: the REFUND event's exact field list; the sandbox mirrors PAYMENT's.
    emitPayment(order, 'COMPLETED', 'NONE', amountOre, { ...tx, transactionId: refund.transactionId }, 'REFUND');
    return ok(reply, {
      transactionId: refund.transactionId,
      batchId: String(randomInt(100_000, 999_999)),
      acquirerId: String(tx.acquirerId),
      totalAmountRefunded: amountNumber(totalRefunded),
      totalAmountPendingRefund: 0,
      canRefundAgain: totalRefunded < tx.finalizedOre,
      amountRemainingForRefund: amountNumber(tx.finalizedOre - totalRefunded),
    });
  });

  app.get('/orders/:orderId/info', async (request, reply) => {
    const order = findOrder(request, reply);
    if (!order) return reply;
    return ok(reply, orderInfo(order));
  });

  /**
   * UNSURE: integrations.md names the order's state `status`, which collides with the envelope's
   * `status`; the sandbox keeps the envelope there and calls the order's state `orderStatus`.
   * Amounts come as strings here on purpose: Paynova is known to send numbers as strings.
   */
  function orderInfo(order: Order) {
    return {
      orderId: order.orderId,
      orderNumber: order.orderNumber,
      orderStatus: order.status,
      orderDescription: order.orderDescription ?? null,
      createdAt: paynovaTimestamp(order.createdAt),
      currencyCode: order.currencyCode,
      totalAmount: toProviderAmount(order.totalOre),
      salesChannel: order.salesChannel ?? null,
      salesLocationId: order.salesLocationId ?? null,
      customer: order.customer ?? null,
      lineItems: order.lineItems.map((l) => ({
        ...l,
        unitAmountExcludingTax: toProviderAmount(l.unitAmountExcludingTax),
        totalLineTaxAmount: toProviderAmount(l.totalLineTaxAmount),
        totalLineAmount: toProviderAmount(l.totalLineAmount),
      })),
      transactions: state.orderTransactions(order).map((t) => ({
        transactionId: t.transactionId,
        paymentMethodId: String(t.paymentMethodId),
        paymentMethodProductId: t.paymentMethodProductId,
        amount: toProviderAmount(t.amountOre),
        amountFinalized: toProviderAmount(t.finalizedOre),
        amountAnnulled: toProviderAmount(t.annulledOre),
        amountRefunded: toProviderAmount(t.refunds.reduce((a, r) => a + r.amountOre, 0)),
        invoiceId: t.invoiceId ?? null,
      })),
    };
  }

  // ---------- addresses and customer profiles ----------
  app.get('/addresses/:countryCode/:governmentId', async (request, reply) => {
    const params = z.object({ countryCode: z.literal('SE'), governmentId: z.string().max(20) }).safeParse(request.params);
    if (!params.success) return invalid(reply, params.error);
    if (!isValidGovernmentId(params.data.governmentId)) {
      return fail(reply, validationFailure([fieldError('GovernmentIdIsInvalid', 'GovernmentId', 'The government id must be a valid 12-digit Swedish personal identity number.')]));
    }
    return ok(reply, fakeAddress(params.data.governmentId));
  });

  const ProfileParams = z.object({ profileId: z.string().min(1).max(100), cardId: z.string().min(1).max(100).optional() });
  const profileKey = (request: FastifyRequest, profileId: string) => `${merchantOf(request).merchantId}/${profileId}`;

  app.get('/customerprofiles/:profileId', async (request, reply) => {
    const params = ProfileParams.safeParse(request.params);
    if (!params.success) return invalid(reply, params.error);
    const profile = state.profiles.get(profileKey(request, params.data.profileId));
    if (!profile) return fail(reply, failure('CUST_PROF_NOT_FOUND', 'The customer profile was not found.'));
    return ok(reply, { profileId: profile.profileId, profileCards: profile.profileCards });
  });
  app.delete('/customerprofiles/:profileId', async (request, reply) => {
    const params = ProfileParams.safeParse(request.params);
    if (!params.success) return invalid(reply, params.error);
    if (!state.profiles.delete(profileKey(request, params.data.profileId))) {
      return fail(reply, failure('CUST_PROF_NOT_FOUND', 'The customer profile was not found.'));
    }
    return ok(reply);
  });
  app.delete('/customerprofiles/:profileId/cards/:cardId', async (request, reply) => {
    const params = ProfileParams.safeParse(request.params);
    if (!params.success) return invalid(reply, params.error);
    const profile = state.profiles.get(profileKey(request, params.data.profileId));
    if (!profile) return fail(reply, failure('CUST_PROF_NOT_FOUND', 'The customer profile was not found.'));
    const before = profile.profileCards.length;
    profile.profileCards = profile.profileCards.filter((c) => c.cardId !== params.data.cardId);
    if (profile.profileCards.length === before) return fail(reply, failure('CUST_CARD_NOT_FOUND', 'The card was not found in the profile.'));
    return ok(reply);
  });

  // ---------- the hosted page (opaque to clients; a person can look at it in a demo) ----------
  app.get('/hosted/:sessionId', async (request, reply) => {
    const params = z.object({ sessionId: z.uuid() }).safeParse(request.params);
    const sessionId = params.success ? params.data.sessionId : undefined;
    const order = [...state.orders.values()].find((o) => o.sessions.some((s) => s.sessionId === sessionId));
    if (!order) return reply.code(404).type('text/html; charset=utf-8').send('<h1>Sessionen finns inte</h1>');
    const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    return reply
      .type('text/html; charset=utf-8')
      .send(
        `<!doctype html><meta charset="utf-8"><title>Paynova sandbox</title><h1>Paynova sandbox – betalning</h1>` +
          `<p>Order ${esc(order.orderNumber)}: ${esc(toProviderAmount(order.totalOre))} ${esc(order.currencyCode)}</p>` +
          `<p>Drive the patient's choice with the control API: POST ${CONTROL_PREFIX}/orders/${esc(order.orderId)}/complete-session, /installments, /fail.</p>`,
      );
  });
  app.get('/legal/*', async (_request, reply) => reply.type('text/plain; charset=utf-8').send('Paynova sandbox terms (placeholder document).'));

  // ---------- control API ----------
  const controlOrder = (request: FastifyRequest, reply: FastifyReply): Order | undefined => {
    const params = parseControl(ControlOrderParam, request.params, reply);
    if (!params) return undefined;
    const order = state.orders.get(params.orderId);
    if (!order) void reply.code(404).send({ error: 'not_found', message: `No order ${params.orderId}` });
    return order;
  };
  const conflict = (reply: FastifyReply, message: string) => reply.code(409).send({ error: 'conflict', message });

  app.post(`${CONTROL_PREFIX}/merchants`, async (request, reply) => {
    const input = parseControl(MerchantInput, request.body, reply);
    if (!input) return reply;
    state.merchants.set(input.merchantId, { ...input });
    return { ok: true };
  });
  app.post(`${CONTROL_PREFIX}/webhook`, async (request, reply) => {
    const input = parseControl(WebhookInput, request.body, reply);
    if (!input) return reply;
    const merchant = state.merchants.get(input.merchantId ?? [...state.merchants.keys()][0]!);
    if (!merchant) return reply.code(404).send({ error: 'not_found', message: 'No such merchant' });
    if (input.url === null) delete merchant.callbackUrl;
    else merchant.callbackUrl = input.url;
    if (input.secretKey !== undefined) merchant.secretKey = input.secretKey;
    return { ok: true, merchantId: merchant.merchantId };
  });
  app.post(`${CONTROL_PREFIX}/event-hooks/config`, async (request, reply) => {
    const input = parseControl(EventHookConfigInput, request.body, reply);
    if (!input) return reply;
    hooks.config = { ...hooks.config, ...input };
    return { config: hooks.config };
  });
  app.get(`${CONTROL_PREFIX}/event-hooks`, async () => ({ deliveries: hooks.deliveries }));
  app.get(`${CONTROL_PREFIX}/orders`, async () => ({ orders: [...state.orders.values()].map(controlOrderView) }));
  app.get(`${CONTROL_PREFIX}/transactions`, async () => ({ transactions: [...state.transactions.values()] }));
  app.get(`${CONTROL_PREFIX}/orders/:orderId`, async (request, reply) => {
    const order = controlOrder(request, reply);
    return order ? controlOrderView(order) : reply;
  });

  function controlOrderView(order: Order): ControlOrderView {
    return { ...order, createdAt: order.createdAt.toISOString(), transactions: state.orderTransactions(order) };
  }

  app.post(`${CONTROL_PREFIX}/orders/:orderId/complete-session`, async (request, reply) => {
    const order = controlOrder(request, reply);
    if (!order) return reply;
    const input = parseControl(CompleteSessionInput, request.body, reply);
    if (!input) return reply;
    return completeSession(order, input.product, reply);
  });
  app.post(`${CONTROL_PREFIX}/orders/:orderId/installments`, async (request, reply) => {
    const order = controlOrder(request, reply);
    if (!order) return reply;
    const input = parseControl(InstallmentsInput, request.body, reply);
    if (!input) return reply;
    return completeSession(order, productForMonths(input.months)!, reply);
  });

  /**
   * The patient finished the hosted page: an authorized transaction with the chosen product,
   * PAYMENT AUTHORIZED, then SESSION_END COMPLETED. Finalizing it (the desk's job) sends the
   * invoice or starts the installment plan.
   */
  function completeSession(order: Order, product: string, reply: FastifyReply) {
    if (order.status === 'Cancelled') return conflict(reply, 'The order is annulled.');
    if (state.activeTransaction(order)) return conflict(reply, 'The order already has a live transaction.');
    const governmentId = order.customer?.governmentId;
    if (governmentId !== undefined && state.refusedGovernmentIds.has(governmentId)) {
      return conflict(reply, 'The credit check for this customer is set to refuse; use /fail instead.');
    }
    const session = order.sessions.at(-1);
    const tx = state.addTransaction(order, product, order.totalOre, 311, session?.sessionId);
    emitPayment(order, 'AUTHORIZED', 'NONE', tx.amountOre, tx);
    if (session) {
      session.status = 'completed';
      emitSessionEnd(order, session.sessionId, 'COMPLETED');
    }
    return { transaction: tx };
  }

  app.post(`${CONTROL_PREFIX}/orders/:orderId/pay`, async (request, reply) => {
    const order = controlOrder(request, reply);
    if (!order) return reply;
    const tx = state.activeTransaction(order);
    if (!tx || tx.state !== 'finalized') return conflict(reply, 'The patient can only pay an invoice that was sent (finalized).');
    if (tx.paidAt !== undefined) return conflict(reply, 'Already paid.');
    tx.paidAt = new Date().toISOString();
    emitPayment(order, 'COMPLETED', 'NONE', tx.finalizedOre, tx);
    return { transaction: tx };
  });
  app.post(`${CONTROL_PREFIX}/orders/:orderId/fail`, async (request, reply) => {
    const order = controlOrder(request, reply);
    if (!order) return reply;
    const input = parseControl(FailPaymentInput, request.body, reply);
    if (!input) return reply;
    const mapped = FAILURE_MAPPING[input.reason];
    const tx = state.activeTransaction(order);
    emitPayment(order, mapped.status, mapped.reason, order.totalOre, tx);
    const session = order.sessions.at(-1);
    if (input.reason === 'cancelled_by_customer' && session && session.status === 'open') {
      session.status = 'cancelled';
      emitSessionEnd(order, session.sessionId, 'CANCELLED', 'CANCELLED_BY_CUSTOMER');
    }
    return { paymentStatus: mapped.status, paymentStatusReason: mapped.reason };
  });
  app.post(`${CONTROL_PREFIX}/orders/:orderId/overdue`, async (request, reply) => {
    const order = controlOrder(request, reply);
    if (!order) return reply;
    const tx = state.activeTransaction(order);
    if (!tx || tx.state !== 'finalized' || tx.paidAt !== undefined) return conflict(reply, 'Only a sent, unpaid invoice can go overdue.');
    // UNSURE: Paynova sends no event hook we know of for an overdue invoice; only state changes.
    tx.overdueAt = new Date().toISOString();
    return { transaction: tx };
  });
  app.post(`${CONTROL_PREFIX}/credit-check`, async (request, reply) => {
    const input = parseControl(CreditCheckInput, request.body, reply);
    if (!input) return reply;
    if (input.outcome === 'refuse') state.refusedGovernmentIds.add(input.governmentId);
    else state.refusedGovernmentIds.delete(input.governmentId);
    return { refusedGovernmentIds: [...state.refusedGovernmentIds] };
  });
  app.post(`${CONTROL_PREFIX}/customer-profiles`, async (request, reply) => {
    const input = parseControl(CustomerProfileInput, request.body, reply);
    if (!input) return reply;
    const merchantId = [...state.merchants.keys()][0]!;
    const profile = { profileId: input.profileId, profileCards: input.cards.map((c) => ({ ...c, cardId: c.cardId ?? randomUUID() })) };
    state.profiles.set(`${merchantId}/${input.profileId}`, profile);
    return reply.code(201).send(profile);
  });

  return {
    ...sim,
    state,
    hooks,
    async listen(port: number) {
      baseUrl = await sim.listen(port);
      return baseUrl;
    },
    async close() {
      hooks.stop();
      await sim.close();
    },
  };
}
