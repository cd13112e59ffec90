import { createHash, timingSafeEqual } from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver, startTestSandbox, type Receiver, type ReceivedRequest, type Sandbox } from '../../support/sandbox';

const SECRET = 'hook-secret-åäö';
let sandbox: Sandbox;
let api: AxiosInstance;
let receiver: Receiver;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  api = axios.create({
    baseURL: sandbox.paynova.url,
    auth: { username: sandbox.paynova.merchant.merchantId, password: sandbox.paynova.merchant.apiPassword },
    validateStatus: () => true,
  });
});
afterAll(async () => sandbox.close());
beforeEach(async () => {
  await sandbox.paynova.control.reset();
  await sandbox.paynova.control.configureEventHooks({ retryIntervalMs: 20 });
  receiver = await startReceiver();
  await sandbox.paynova.control.setWebhook({ url: `${receiver.url}/hooks/paynova`, secretKey: SECRET });
});
afterEach(async () => receiver.close());

/** Independent recomputation with node:crypto, as the sync server must do it. */
const sha1Upper = (s: string) => createHash('sha1').update(s, 'utf8').digest('hex').toUpperCase();
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function verify(hook: ReceivedRequest, secret: string): boolean {
  const f = hook.form;
  const bodyOk = same(f.DIGEST ?? '', sha1Upper([f.EVENT_TYPE, f.EVENT_TIMESTAMP, f.DELIVERY_TIMESTAMP, f.MERCHANT_ID, secret].join(';')));
  const headerOk = same(String(hook.headers['pn-digest'] ?? ''), sha1Upper(hook.rawBody + secret));
  return bodyOk && headerOk;
}

async function finalizedOrder(orderNumber: string) {
  const created = await api.post('/orders/create', {
    orderNumber,
    currencyCode: 'SEK',
    totalAmount: '125.00',
    customer: { governmentId: '191212121212' },
    lineItems: [
      { id: '1', articleNumber: 'U1', name: 'Undersökning', quantity: 1, unitMeasure: 'st', unitAmountExcludingTax: 125, taxPercent: 0, totalLineTaxAmount: 0, totalLineAmount: 125 },
    ],
  });
  const orderId = created.data.orderId as string;
  const auth = await api.post(`/orders/${orderId}/authorizePayment`, { authorizationType: 'InvoicePayment', totalAmount: 125, paymentMethodId: 311, paymentMethodProductId: 'DirectInvoice' });
  const transactionId = auth.data.transactionId as string;
  await api.post(`/orders/${orderId}/transactions/${transactionId}/finalize/125.00`, { invoiceId: 'F-9' });
  return { orderId, transactionId };
}

describe('Paynova event hooks', () => {
  it('posts PAYMENT COMPLETED form-encoded with the documented fields and verifiable digests', async () => {
    const { orderId, transactionId } = await finalizedOrder('K-HOOK1');
    await receiver.waitFor(1); // AUTHORIZED from the direct authorize
    await sandbox.paynova.control.payInvoice(orderId);
    const [, completed] = await receiver.waitFor(2);

    expect(completed!.method).toBe('POST');
    expect(completed!.url).toBe('/hooks/paynova');
    expect(completed!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.keys(completed!.form)).toEqual([
      'EVENT_TYPE', 'EVENT_TIMESTAMP', 'DELIVERY_TIMESTAMP', 'MERCHANT_ID', 'ORDER_ID', 'ORDER_NUMBER', 'SESSION_ID',
      'PAYMENT_STATUS', 'PAYMENT_STATUS_REASON', 'AMOUNT', 'CURRENCY_CODE', 'TRANSACTION_ID', 'DIGEST',
    ]);
    expect(completed!.form).toMatchObject({
      EVENT_TYPE: 'PAYMENT',
      MERCHANT_ID: sandbox.paynova.merchant.merchantId,
      ORDER_ID: orderId,
      ORDER_NUMBER: 'K-HOOK1',
      PAYMENT_STATUS: 'COMPLETED',
      PAYMENT_STATUS_REASON: 'NONE',
      AMOUNT: '125.00',
      CURRENCY_CODE: 'SEK',
      TRANSACTION_ID: transactionId,
    });
    expect(completed!.form.EVENT_TIMESTAMP).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
    expect(completed!.form.DELIVERY_TIMESTAMP).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
    expect(verify(completed!, SECRET)).toBe(true);
  });

  it('a tampered body or a wrong secret fails verification', async () => {
    const { orderId } = await finalizedOrder('K-TAMPER');
    await sandbox.paynova.control.payInvoice(orderId);
    const hooks = await receiver.waitFor(2);
    const genuine = hooks[1]!;
    const tamperedBody = genuine.rawBody.replace('AMOUNT=125.00', 'AMOUNT=1.00');
    expect(tamperedBody).not.toBe(genuine.rawBody);
    const tampered: ReceivedRequest = { ...genuine, rawBody: tamperedBody, form: Object.fromEntries(new URLSearchParams(tamperedBody)) };
    expect(verify(tampered, SECRET)).toBe(false);
    expect(verify(genuine, 'another-secret')).toBe(false);
  });

  it('retries 3 times when the receiver does not answer 200/204, with a fresh DELIVERY_TIMESTAMP digest each time', async () => {
    receiver.respondWith(500, 503, 500);
    const { orderId } = await finalizedOrder('K-RETRY');
    await receiver.waitFor(3);
    const deliveries = await sandbox.paynova.control.waitForEventHooks((d) => d[0]?.outcome === 'failed');
    expect(deliveries[0]!.attempts.map((a) => a.responseStatus)).toEqual([500, 503, 500]);
    for (const hook of receiver.received) expect(verify(hook, SECRET)).toBe(true);
    expect(new Set(receiver.received.map((h) => h.form.ORDER_ID))).toEqual(new Set([orderId]));
  });

  it('stops retrying after a 204', async () => {
    receiver.respondWith(500, 204);
    await finalizedOrder('K-204');
    const deliveries = await sandbox.paynova.control.waitForEventHooks((d) => d[0]?.outcome === 'delivered');
    expect(deliveries[0]!.attempts).toHaveLength(2);
  });

  it('records an unreachable receiver as failed attempts', async () => {
    await sandbox.paynova.control.setWebhook({ url: 'http://127.0.0.1:9/unreachable' });
    await finalizedOrder('K-DOWN');
    const deliveries = await sandbox.paynova.control.waitForEventHooks((d) => d[0]?.outcome === 'failed');
    expect(deliveries[0]!.attempts).toHaveLength(3);
    expect(deliveries[0]!.attempts.every((a) => a.error !== undefined)).toBe(true);
  });

  it.each([
    ['insufficient_funds', 'DECLINED', 'DECLINED_BY_PROCESSOR'],
    ['declined_by_bank', 'DECLINED', 'DECLINED_BY_PROCESSOR'],
    ['authentication_failed', 'DECLINED', 'FAILED_AUTHENTICATION'],
    ['bank_communication_error', 'ERROR', 'BANK_COMMUNICATION_ERROR'],
  ] as const)('maps %s to PAYMENT %s / %s', async (reason, status, statusReason) => {
    const created = await api.post('/orders/create/K-FAIL-1/300.00/SEK');
    await sandbox.paynova.control.failPayment(created.data.orderId, reason);
    const [hook] = await receiver.waitFor(1);
    expect(hook!.form).toMatchObject({ EVENT_TYPE: 'PAYMENT', PAYMENT_STATUS: status, PAYMENT_STATUS_REASON: statusReason, AMOUNT: '300.00' });
    expect(verify(hook!, SECRET)).toBe(true);
  });

  it('hosted page: choosing installments sends PAYMENT AUTHORIZED then SESSION_END COMPLETED to the session urlCallback', async () => {
    const sessionReceiver = await startReceiver();
    try {
      const created = await api.post('/orders/create', {
        orderNumber: 'K-PLAN',
        currencyCode: 'SEK',
        totalAmount: 12000,
        customer: { governmentId: '191212121212' },
      });
      const orderId = created.data.orderId as string;
      const init = await api.post(`/orders/${orderId}/initializePayment`, {
        totalAmount: 12000,
        paymentChannelId: 1,
        interfaceOptions: {
          interfaceId: 5,
          urlRedirectSuccess: 'http://127.0.0.1/ok',
          urlRedirectCancel: 'http://127.0.0.1/cancel',
          urlCallback: `${sessionReceiver.url}/session-hooks`,
        },
      });
      const tx = await sandbox.paynova.control.chooseInstallments(orderId, 12);
      expect(tx.paymentMethodProductId).toBe('InstallmentsTwelveMonths');
      const [payment, sessionEnd] = await sessionReceiver.waitFor(2);
      expect(payment!.form).toMatchObject({ EVENT_TYPE: 'PAYMENT', PAYMENT_STATUS: 'AUTHORIZED', SESSION_ID: init.data.sessionId, AMOUNT: '12000.00', TRANSACTION_ID: tx.transactionId });
      expect(sessionEnd!.form).toMatchObject({ EVENT_TYPE: 'SESSION_END', SESSION_STATUS: 'COMPLETED', SESSION_ID: init.data.sessionId, CUSTOM_DATA_COUNT: '0' });
      expect(verify(sessionEnd!, SECRET)).toBe(true);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await sessionReceiver.close();
    }
  });

  it('sends a REFUND event after a refund', async () => {
    const { orderId, transactionId } = await finalizedOrder('K-REFHOOK');
    await api.post(`/orders/${orderId}/transactions/${transactionId}/refund/125.00`, {});
    const hooks = await receiver.waitFor(2);
    expect(hooks[1]!.form).toMatchObject({ EVENT_TYPE: 'REFUND', AMOUNT: '125.00', ORDER_ID: orderId });
    expect(verify(hooks[1]!, SECRET)).toBe(true);
  });
});
