import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PaynovaClient } from '../../../src-main/integrations/paynova/client';
import { interpretPaynovaEvent, PaynovaEventHookForm } from '../../../src-shared/schemas/providers';
import { startReceiver, startTestSandbox, type Receiver, type Sandbox } from '../../support/sandbox';
import { orderNumber, PATIENTS, paynovaClient, sampleOrder, storeSandboxSecrets, testSecretStore } from './helpers';

let sandbox: Sandbox;
let keychain: ReturnType<typeof testSecretStore>;
let paynova: PaynovaClient;
let receiver: Receiver;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  keychain = testSecretStore();
  await storeSandboxSecrets(keychain.secrets, sandbox);
  paynova = paynovaClient(sandbox, keychain.secrets);
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver?.close();
  await keychain?.cleanup();
  await sandbox?.close();
});

beforeEach(async () => {
  await sandbox.paynova.control.clearFaults();
  await sandbox.paynova.control.setWebhook({ url: `${receiver.url}/paynova` });
  receiver.received.length = 0;
});

async function createdAndAuthorized(productId = 'DirectInvoice', governmentId = PATIENTS.anna) {
  const number = orderNumber();
  const created = await paynova.createOrder(sampleOrder(number, governmentId));
  if (!created.ok) throw new Error(created.error.message);
  const auth = await paynova.authorizePayment({ orderId: created.value.orderId, totalOre: created.value.totalOre, productId });
  return { number, orderId: created.value.orderId, totalOre: created.value.totalOre, auth };
}

/** Waits for the PAYMENT event hook with the given status for an order and maps it. */
async function paymentEvent(orderId: string, status: string) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const hit = receiver.received.find((r) => r.form.ORDER_ID === orderId && r.form.PAYMENT_STATUS === status);
    if (hit) {
      const event = interpretPaynovaEvent(PaynovaEventHookForm.parse(hit.form));
      if (!event.payment) throw new Error('not a payment event');
      expect(event).toMatchObject({ eventType: 'PAYMENT', orderId });
      return { form: hit.form, event, mapped: event.payment };
    }
    if (Date.now() > deadline) throw new Error(`no ${status} event for ${orderId}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Paynova client against the simulator', () => {
  it('creates a detailed order whose total is the sum of its lines, with VAT from öre', async () => {
    const number = orderNumber();
    const r = await paynova.createOrder(sampleOrder(number));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.totalOre).toBe(95_000 + 250_000);
    const order = await sandbox.paynova.control.order(r.value.orderId);
    expect(order.orderNumber).toBe(number);
    expect(order.totalOre).toBe(345_000);
    const whitening = order.lineItems.find((l) => l.id === '2');
    // 2 500 kr incl. 25 % VAT: 500 kr VAT, 2 000 kr net, 1 000 kr per unit.
    expect(whitening).toMatchObject({ quantity: 2, unitAmountExcludingTax: 100_000, totalLineTaxAmount: 50_000, totalLineAmount: 250_000, taxPercent: 25 });
    expect(order.customer?.governmentId).toBe(PATIENTS.anna);
  });

  it('returns the same orderId for a repeated orderNumber (the idempotency key)', async () => {
    const number = orderNumber();
    const a = await paynova.createOrder(sampleOrder(number));
    const b = await paynova.createOrder(sampleOrder(number));
    expect(a.ok && b.ok && a.value.orderId === b.value.orderId).toBe(true);
    const orders = (await sandbox.paynova.control.orders()).filter((o) => o.orderNumber === number);
    expect(orders).toHaveLength(1);
  });

  it('offers the 14-day invoice and 3–24 month plans, each with its effective annual rate', async () => {
    const r = await paynova.getPaymentOptions(1_000_000);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const kinds = r.value.map((o) => (o.option.kind === 'invoice14' ? 0 : o.option.months));
    expect(kinds).toEqual([0, 3, 6, 12, 18, 24]);
    for (const o of r.value) {
      expect(Number.isFinite(o.effectiveAnnualRate)).toBe(true);
      expect(o.paymentMethodId).toBe(311);
    }
    const twelve = r.value.find((o) => o.option.kind === 'installments' && o.option.months === 12)!;
    expect(twelve.productId).toBe('InstallmentsTwelveMonths');
    expect(twelve.setupFeeOre).toBe(19_500);
    expect(twelve.notificationFeeOre).toBe(2_900);
    expect(twelve.annualInterestBp).toBe(995);
    // Fees and interest make the effective rate higher than the nominal 9.95 %.
    expect(twelve.effectiveAnnualRate).toBeGreaterThan(0.0995);
    expect(twelve.interestFree).toBe(false);
    const three = r.value.find((o) => o.option.kind === 'installments' && o.option.months === 3)!;
    // 0 % interest but a setup fee: not "räntefri".
    expect(three.annualInterestBp).toBe(0);
    expect(three.effectiveAnnualRate).toBeGreaterThan(0);
    expect(three.interestFree).toBe(false);
  });

  it('authorizes the invoice, finalizes it with our invoice number, and the patient pays', async () => {
    const { orderId, totalOre, auth } = await createdAndAuthorized();
    expect(auth.ok).toBe(true);
    if (!auth.ok) return;
    expect(auth.value.transactionId).toMatch(/^\d{18}$/);
    const fin = await paynova.finalize(orderId, auth.value.transactionId, totalOre, 'D1-000042');
    expect(fin.ok && fin.value.totalAmountFinalized).toBe(totalOre);
    const tx = (await sandbox.paynova.control.order(orderId)).transactions[0]!;
    expect(tx.invoiceId).toBe('D1-000042');
    expect(tx.state).toBe('finalized');
    await sandbox.paynova.control.payInvoice(orderId);
    const ev = await paymentEvent(orderId, 'COMPLETED');
    expect(ev.mapped).toMatchObject({ outcome: 'completed', reason: 'none' });
    expect(ev.event.amountOre).toBe(totalOre);
  });

  it('authorizes a 12-month installment plan with the product the patient chose', async () => {
    const { orderId, auth } = await createdAndAuthorized('InstallmentsTwelveMonths');
    expect(auth.ok).toBe(true);
    const tx = (await sandbox.paynova.control.order(orderId)).transactions[0]!;
    expect(tx.paymentMethodProductId).toBe('InstallmentsTwelveMonths');
    const ev = await paymentEvent(orderId, 'AUTHORIZED');
    expect(ev.mapped.outcome).toBe('authorized');
  });

  it('maps a refused credit check (1001) to credit_check_refused', async () => {
    await sandbox.paynova.control.refuseCreditCheck(PATIENTS.refused);
    try {
      const { auth } = await createdAndAuthorized('InstallmentsTwentyFourMonths', PATIENTS.refused);
      expect(auth.ok).toBe(false);
      if (auth.ok) return;
      expect(auth.error).toMatchObject({ code: 'paynova.credit_check_refused', reason: 'credit_check_refused', errorNumber: 1001, statusKey: 'CUST_ACCT_NOT_ELIGIBLE', retryable: false });
    } finally {
      await sandbox.paynova.control.setCreditCheck({ governmentId: PATIENTS.refused, outcome: 'approve' });
    }
  });

  it.each([
    ['insufficient_funds', 'DECLINED', 'declined_by_processor'],
    ['declined_by_bank', 'DECLINED', 'declined_by_processor'],
    ['authentication_failed', 'DECLINED', 'authentication_failed'],
    ['bank_communication_error', 'ERROR', 'bank_communication_error'],
    ['fraud_screening', 'DECLINED', 'fraud_screening'],
    ['cancelled_by_customer', 'CANCELLED', 'cancelled_by_customer'],
  ] as const)('maps a failed payment (%s) from the event hook to a reason', async (kind, status, reason) => {
    const { orderId } = await createdAndAuthorized();
    await sandbox.paynova.control.failPayment(orderId, kind);
    const ev = await paymentEvent(orderId, status);
    expect(ev.mapped.reason).toBe(reason);
    expect(ev.mapped.outcome).toBe(status === 'CANCELLED' ? 'cancelled' : 'failed');
    // Raw values are kept: insufficient funds is indistinguishable from a decline on the wire.
    expect(ev.mapped.rawReason).toBe(ev.form.PAYMENT_STATUS_REASON);
  });

  it('an overdue invoice is still an open, finalized order at Paynova (overdue is decided by the due date)', async () => {
    const { orderId, totalOre, auth } = await createdAndAuthorized();
    if (!auth.ok) throw new Error('authorize failed');
    await paynova.finalize(orderId, auth.value.transactionId, totalOre, 'D1-000043');
    await sandbox.paynova.control.goOverdue(orderId);
    const info = await paynova.getOrderInfo(orderId);
    expect(info.ok).toBe(true);
    if (!info.ok) return;
    expect(info.value.status).toBe('Open');
    expect(info.value.transactions[0]).toMatchObject({ finalizedOre: totalOre, refundedOre: 0 });
    expect(receiver.received.some((r) => r.form.ORDER_ID === orderId && r.form.PAYMENT_STATUS === 'COMPLETED')).toBe(false);
  });

  it('annuls before finalize, and refunds after finalize in full or in part with credit lines', async () => {
    const a = await createdAndAuthorized();
    if (!a.auth.ok) throw new Error('authorize failed');
    const annul = await paynova.annul(a.orderId, a.auth.value.transactionId, a.totalOre);
    expect(annul.ok).toBe(true);
    expect((await sandbox.paynova.control.order(a.orderId)).transactions[0]!.state).toBe('annulled');

    const b = await createdAndAuthorized();
    if (!b.auth.ok) throw new Error('authorize failed');
    await paynova.finalize(b.orderId, b.auth.value.transactionId, b.totalOre, 'D1-000044');
    const noLines = await paynova.refund(b.orderId, b.auth.value.transactionId, 95_000);
    expect(noLines.ok).toBe(false);
    if (!noLines.ok) expect(noLines.error).toMatchObject({ code: 'paynova.line_items_required', errorNumber: 3003 });
    const partial = await paynova.refund(b.orderId, b.auth.value.transactionId, 95_000, [
      { id: '1', articleNumber: 'U101', name: 'Undersökning', quantity: 1, grossOre: 95_000, vatCode: 'exempt' },
    ]);
    expect(partial.ok && partial.value).toMatchObject({ totalAmountRefunded: 95_000, amountRemainingForRefund: 250_000, canRefundAgain: true });
    const rest = await paynova.refund(b.orderId, b.auth.value.transactionId, 250_000, [
      { id: '2', articleNumber: 'B201', name: 'Blekning', quantity: 2, grossOre: 250_000, vatCode: 'se25' },
    ]);
    expect(rest.ok && rest.value).toMatchObject({ totalAmountRefunded: 345_000, canRefundAgain: false });
    const info = await paynova.getOrderInfo(b.orderId);
    expect(info.ok && info.value.transactions[0]!.refundedOre).toBe(345_000);
  });

  it('finalizing twice gives the typed FINALIZE_AMT_EXCEEDED (3002)', async () => {
    const { orderId, totalOre, auth } = await createdAndAuthorized();
    if (!auth.ok) throw new Error('authorize failed');
    await paynova.finalize(orderId, auth.value.transactionId, totalOre, 'D1-1');
    const again = await paynova.finalize(orderId, auth.value.transactionId, totalOre, 'D1-1');
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error).toMatchObject({ code: 'paynova.finalize_amount_exceeded', errorNumber: 3002, retryable: false });
  });

  it('reads order info with string amounts and looks up an address by personnummer', async () => {
    const number = orderNumber();
    const created = await paynova.createOrder(sampleOrder(number));
    if (!created.ok) throw new Error('create failed');
    const info = await paynova.getOrderInfo(created.value.orderId);
    expect(info.ok && info.value).toMatchObject({ orderNumber: number, status: 'Open', totalOre: 345_000 });
    const address = await paynova.lookupAddress(PATIENTS.erik);
    expect(address.ok).toBe(true);
    if (address.ok) {
      expect(address.value.city).toBeTruthy();
      expect(address.value.lastName).toBeTruthy();
      expect(address.value.countryCode).toBe('SE');
    }
  });

  it('maps validation errors (-2) with the field names, and an unknown order (3000)', async () => {
    const bad = await paynova.lookupAddress('198112189877'); // Luhn-wrong
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error).toMatchObject({ code: 'paynova.validation', errorNumber: -2, field: 'GovernmentId', retryable: false });
      expect('fields' in bad.error && bad.error.fields[0]?.errorCode).toBe('GovernmentIdIsInvalid');
    }
    const missing = await paynova.getOrderInfo('00000000-0000-4000-8000-000000000000');
    expect(!missing.ok && missing.error).toMatchObject({ code: 'paynova.order_not_found', errorNumber: 3000 });
  });

  it('maps bad credentials (HTTP 401) to the auth error (-3) without echoing the password', async () => {
    const wrong = new PaynovaClient({ baseUrl: sandbox.paynova.url, timeoutMs: 2000, credentials: async () => ({ merchantId: '10000001', apiPassword: 'not-the-password-xyz' }) });
    const r = await wrong.getPaymentOptions(10_000);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatchObject({ code: 'paynova.auth', errorNumber: -3, httpStatus: 401, retryable: false });
      expect(JSON.stringify(r.error)).not.toContain('not-the-password-xyz');
    }
  });

  it('turns 5xx, 429, resets and timeouts into retryable typed errors', async () => {
    const c = sandbox.paynova.control;
    const quick = paynovaClient(sandbox, keychain.secrets, 300);
    await c.addFault({ route: '^/paymentoptions$', kind: 'http5xx', status: 502, times: 1 });
    await c.addFault({ route: '^/paymentoptions$', kind: 'rate_limit', times: 1 });
    await c.addFault({ route: '^/paymentoptions$', kind: 'reset', times: 1 });
    await c.addFault({ route: '^/paymentoptions$', kind: 'hang', times: 1, hangMs: 5000 });
    const seen = [];
    for (let i = 0; i < 4; i++) {
      const r = await quick.getPaymentOptions(10_000);
      expect(r.ok).toBe(false);
      if (!r.ok) seen.push({ code: r.error.code, retryable: r.error.retryable, httpStatus: r.error.httpStatus });
    }
    expect(seen.every((s) => s.retryable)).toBe(true);
    expect(seen[0]!.httpStatus).toBe(502);
    expect(seen[1]!.httpStatus).toBe(429);
    expect(seen[2]!.code).toBe('paynova.transport');
    expect(seen[3]!.code).toBe('paynova.transport');
    expect((await quick.getPaymentOptions(10_000)).ok).toBe(true);
  });
});
