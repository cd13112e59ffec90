import axios, { type AxiosInstance } from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSandbox, type Sandbox } from '../../support/sandbox';

// Valid personnummer (Luhn over YYMMDDNNN) and one with a broken check digit.
const PNR = '191212121212';
const PNR_BAD_LUHN = '191212121213';

let sandbox: Sandbox;
let api: AxiosInstance;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  api = axios.create({
    baseURL: sandbox.paynova.url,
    auth: { username: sandbox.paynova.merchant.merchantId, password: sandbox.paynova.merchant.apiPassword },
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    validateStatus: () => true,
  });
});
afterAll(async () => sandbox.close());
beforeEach(async () => sandbox.paynova.control.reset());

const line = (id: string, total: string) => ({
  id,
  articleNumber: `ART-${id}`,
  name: `Behandling ${id}`,
  quantity: 1,
  unitMeasure: 'st',
  unitAmountExcludingTax: total,
  taxPercent: 0,
  totalLineTaxAmount: 0,
  totalLineAmount: total,
  lineItemGroupKey: '_ITEM_',
});

function detailedOrder(orderNumber: string, overrides: Record<string, unknown> = {}) {
  return {
    orderNumber,
    orderDescription: 'Tandvård',
    currencyCode: 'SEK',
    totalAmount: 1250.5,
    salesChannel: 'desk',
    customer: { governmentId: PNR, emailAddress: 'patient@example.se', name: { firstName: 'Tolvan', lastName: 'Tolvansson' }, mobileTelephone: '+46701234567' },
    lineItems: [line('1', '1000.50'), line('2', '250.00')],
    ...overrides,
  };
}

async function createAuthorized(orderNumber = 'K-1001', product = 'DirectInvoice') {
  const created = await api.post('/orders/create', detailedOrder(orderNumber));
  const orderId = created.data.orderId as string;
  const auth = await api.post(`/orders/${orderId}/authorizePayment`, {
    authorizationType: 'InvoicePayment',
    totalAmount: 1250.5,
    paymentMethodId: 311,
    paymentMethodProductId: product,
    paymentChannelId: 1,
  });
  return { orderId, transactionId: auth.data.transactionId as string, auth };
}

describe('Paynova simulator: envelope and auth', () => {
  it('answers bad credentials with 401 and errorNumber -3 HTTP_401', async () => {
    const res = await axios.post(`${sandbox.paynova.url}/orders/create`, detailedOrder('K-0401'), {
      auth: { username: sandbox.paynova.merchant.merchantId, password: 'wrong' },
      validateStatus: () => true,
    });
    expect(res.status).toBe(401);
    expect(res.data.status).toMatchObject({ isSuccess: false, errorNumber: -3, statusKey: 'HTTP_401', errors: null, exceptionDetails: null });
  });

  it('creates a detailed order with 201 and the full status envelope', async () => {
    const res = await api.post('/orders/create', detailedOrder('K-0001'));
    expect(res.status).toBe(201);
    expect(res.data.status).toEqual({
      isSuccess: true,
      errorNumber: 0,
      statusKey: 'SUCCESS',
      statusMessage: expect.any(String),
      errors: null,
      exceptionDetails: null,
    });
    expect(res.data.orderId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('reports validation errors as HTTP 200 isSuccess:false -2 with fieldName', async () => {
    const short = await api.post('/orders/create', detailedOrder('K1'));
    expect(short.status).toBe(200);
    expect(short.data.status).toMatchObject({ isSuccess: false, errorNumber: -2, statusKey: 'VALIDATION_ERROR' });
    expect(short.data.status.errors).toEqual([expect.objectContaining({ fieldName: 'OrderNumber', errorCode: 'OrderNumberIsInvalid' })]);

    const mismatch = await api.post('/orders/create', detailedOrder('K-0002', { totalAmount: 1250.49 }));
    expect(mismatch.data.status.errorNumber).toBe(-2);
    expect(mismatch.data.status.errors).toEqual([expect.objectContaining({ fieldName: 'TotalAmount' })]);

    const pnr = await api.post('/orders/create', detailedOrder('K-0003', { customer: { governmentId: PNR_BAD_LUHN } }));
    expect(pnr.data.status.errors).toEqual([expect.objectContaining({ errorCode: 'GovernmentIdIsInvalid', fieldName: 'GovernmentId' })]);

    const missing = await api.post('/orders/create', { currencyCode: 'SEK', totalAmount: 10 });
    expect(missing.data.status.errors).toEqual([expect.objectContaining({ fieldName: 'OrderNumber', errorCode: 'OrderNumberIsRequired' })]);
  });

  it('refuses a body with more than two decimals and a malformed JSON body in its own envelope', async () => {
    const decimals = await api.post('/orders/create', detailedOrder('K-0004', { totalAmount: 1.005, lineItems: undefined }));
    expect(decimals.data.status.errors[0].fieldName).toBe('TotalAmount');
    const malformed = await api.post('/orders/create', '{"orderNumber":', { transformRequest: [(d: unknown) => d] });
    expect(malformed.status).toBe(400);
    expect(malformed.data.status).toMatchObject({ isSuccess: false, errorNumber: -3, statusKey: 'HTTP_400' });
  });

  it('accepts JSON with a charset parameter and refuses other content types in the envelope', async () => {
    const charset = await api.post('/orders/create', JSON.stringify(detailedOrder('K-0006')), { headers: { 'Content-Type': 'application/json; charset=utf-8' } });
    expect(charset.status).toBe(201);
    const text = await api.post('/orders/create', 'orderNumber=K-0007', { headers: { 'Content-Type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(text.data.status).toMatchObject({ isSuccess: false, errorNumber: -3, statusKey: 'HTTP_415' });
  });

  it('refuses an oversized body with 413 in the envelope', async () => {
    const res = await api.post('/orders/create', detailedOrder('K-0005', { orderDescription: 'x'.repeat(300 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.data.status.statusKey).toBe('HTTP_413');
  });

  it('treats a repeated orderNumber idempotently: same orderId, one order', async () => {
    const first = await api.post('/orders/create', detailedOrder('K-IDEM'));
    const second = await api.post('/orders/create', detailedOrder('K-IDEM'));
    expect(first.status).toBe(201);
    expect(second.data.status.isSuccess).toBe(true);
    expect(second.data.orderId).toBe(first.data.orderId);
    expect(await sandbox.paynova.control.orders()).toHaveLength(1);
    expect(await sandbox.paynova.control.requests({ path: '^/orders/create$', method: 'POST' })).toHaveLength(2);
  });

  it('simple create takes orderNumber, amount and currency from the path over the body', async () => {
    const res = await api.post('/orders/create/K-SIMPLE/99.50/SEK', { orderNumber: 'ignored', totalAmount: 1, orderDescription: 'Från body' });
    expect(res.status).toBe(201);
    const info = await api.get(`/orders/${res.data.orderId}/info`);
    expect(info.data).toMatchObject({ orderNumber: 'K-SIMPLE', totalAmount: '99.50', currencyCode: 'SEK', orderDescription: 'Från body' });
  });

  it('answers an unknown orderId with 3000 ORDER_NOT_FOUND', async () => {
    const res = await api.get('/orders/8f0c0a52-5a4e-4c1e-9a39-0f1c7c9e2b11/info');
    expect(res.status).toBe(200);
    expect(res.data.status).toMatchObject({ isSuccess: false, errorNumber: 3000, statusKey: 'ORDER_NOT_FOUND' });
  });

  it('gives order info with Paynova timestamps and string amounts', async () => {
    const created = await api.post('/orders/create', detailedOrder('K-INFO'));
    const info = await api.get(`/orders/${created.data.orderId}/info`);
    expect(info.data.status.isSuccess).toBe(true);
    expect(info.data.orderStatus).toBe('Open');
    expect(info.data.createdAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
    expect(info.data.totalAmount).toBe('1250.50');
  });
});

describe('Paynova simulator: payment options, authorize and credit check', () => {
  it('offers Direkt faktura and installments 3–24 months with fees and legal documents', async () => {
    const res = await api.post('/paymentoptions', { totalAmount: 1250.5, paymentChannelId: 1, currencyCode: 'SEK', countryCode: 'SE', languageCode: 'SWE' });
    const methods = res.data.availablePaymentMethods as { paymentMethodProductId: string; displayName: string; numberOfInstallments: number; notificationFee: { value: string }; setupFee?: { value: string }; legalDocuments?: unknown[] }[];
    const invoice = methods.find((m) => m.paymentMethodProductId === 'DirectInvoice');
    expect(invoice).toMatchObject({ displayName: 'Direkt faktura', notificationFee: { value: '29.00' }, installmentPeriod: 14 });
    const terms = methods.filter((m) => m.paymentMethodProductId.startsWith('Installments')).map((m) => m.numberOfInstallments);
    expect(terms).toEqual([3, 6, 12, 18, 24]);
    for (const m of methods.filter((x) => x.paymentMethodProductId.startsWith('Installments'))) {
      expect(Number(m.setupFee?.value)).toBeGreaterThan(0);
      expect(m.legalDocuments?.length).toBeGreaterThan(0);
    }
  });

  it('authorizes an invoice and returns an 18-digit transactionId', async () => {
    const { auth, orderId } = await createAuthorized('K-AUTH', 'InstallmentsTwentyFourMonths');
    expect(auth.data.status.isSuccess).toBe(true);
    expect(auth.data).toMatchObject({ orderId, acquirerId: expect.any(Number), acquirerReferenceId: expect.any(String) });
    expect(auth.data.transactionId).toMatch(/^\d{18}$/);
  });

  it('refuses an unknown product and an invoice order without governmentId', async () => {
    const created = await api.post('/orders/create', detailedOrder('K-NOPNR', { customer: { emailAddress: 'a@b.se' } }));
    const body = { authorizationType: 'InvoicePayment', totalAmount: 1250.5, paymentMethodId: 311, paymentMethodProductId: 'DirectInvoice' };
    const noPnr = await api.post(`/orders/${created.data.orderId}/authorizePayment`, body);
    expect(noPnr.data.status.errors[0]).toMatchObject({ fieldName: 'GovernmentId' });
    const badProduct = await api.post(`/orders/${created.data.orderId}/authorizePayment`, { ...body, paymentMethodProductId: 'InstallmentsFortyMonths' });
    expect(badProduct.data.status.errors[0]).toMatchObject({ fieldName: 'PaymentMethodProductId' });
  });

  it('answers 1001 CUST_ACCT_NOT_ELIGIBLE when the credit check is refused', async () => {
    await sandbox.paynova.control.refuseCreditCheck(PNR);
    const { auth } = await createAuthorized('K-CREDIT');
    expect(auth.data.status).toMatchObject({ isSuccess: false, errorNumber: 1001, statusKey: 'CUST_ACCT_NOT_ELIGIBLE' });
    expect(await sandbox.paynova.control.transactions()).toHaveLength(0);
  });

  it('initializes a hosted payment with a sessionId and an opaque url', async () => {
    const created = await api.post('/orders/create', detailedOrder('K-HOSTED'));
    const res = await api.post(`/orders/${created.data.orderId}/initializePayment`, {
      totalAmount: 1250.5,
      paymentChannelId: 1,
      interfaceOptions: { interfaceId: 5, customerLanguageCode: 'SWE', urlRedirectSuccess: 'http://127.0.0.1/ok', urlRedirectCancel: 'http://127.0.0.1/cancel' },
      paymentMethods: [{ id: 311, products: [{ id: 'DirectInvoice' }] }],
    });
    expect(res.data.status.isSuccess).toBe(true);
    expect(res.data.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const page = await axios.get(res.data.url as string);
    expect(page.status).toBe(200);
  });
});

describe('Paynova simulator: finalize, annul, refund rules', () => {
  it('finalizes only the full amount, then refuses a second finalize with 3002', async () => {
    const { orderId, transactionId } = await createAuthorized();
    const partial = await api.post(`/orders/${orderId}/transactions/${transactionId}/finalize/100.00`, { invoiceId: 'F-1' });
    expect(partial.data.status.errorNumber).toBe(-2);
    const tooMuch = await api.post(`/orders/${orderId}/transactions/${transactionId}/finalize/2000.00`, { invoiceId: 'F-1' });
    expect(tooMuch.data.status).toMatchObject({ errorNumber: 3002, statusKey: 'FINALIZE_AMT_EXCEEDED' });

    const full = await api.post(`/orders/${orderId}/transactions/${transactionId}/finalize/1250.50`, { invoiceId: 'F-1' });
    expect(full.data).toMatchObject({
      status: { isSuccess: true },
      transactionId,
      totalAmountFinalized: 1250.5,
      totalAmountPendingFinalization: 0,
      canFinalizeAgain: false,
      amountRemainingForFinalization: 0,
    });
    expect(full.data.batchId).toEqual(expect.any(String));
    const again = await api.post(`/orders/${orderId}/transactions/${transactionId}/finalize/1250.50`, {});
    expect(again.data.status.errorNumber).toBe(3002);
    expect((await sandbox.paynova.control.transactions())[0]).toMatchObject({ state: 'finalized', invoiceId: 'F-1' });
  });

  it('annuls before finalize, but not after', async () => {
    const a = await createAuthorized('K-ANNUL');
    const annul = await api.post(`/orders/${a.orderId}/transactions/${a.transactionId}/annul/1250.50`);
    expect(annul.data.status.isSuccess).toBe(true);
    expect((await api.get(`/orders/${a.orderId}/info`)).data.orderStatus).toBe('Cancelled');

    const b = await createAuthorized('K-ANNUL2');
    await api.post(`/orders/${b.orderId}/transactions/${b.transactionId}/finalize/1250.50`, {});
    const late = await api.post(`/orders/${b.orderId}/transactions/${b.transactionId}/annul/1250.50`);
    expect(late.data.status).toMatchObject({ isSuccess: false, errorNumber: -2 });
    expect(late.data.status.errors[0].errorCode).toBe('TransactionIsFinalized');
  });

  it('refunds only after finalize; a partial refund needs line items (3003)', async () => {
    const { orderId, transactionId } = await createAuthorized('K-REFUND');
    const early = await api.post(`/orders/${orderId}/transactions/${transactionId}/refund/1250.50`, {});
    expect(early.data.status.isSuccess).toBe(false);
    expect(early.data.status.errors[0].errorCode).toBe('TransactionIsNotFinalized');

    await api.post(`/orders/${orderId}/transactions/${transactionId}/finalize/1250.50`, { invoiceId: 'F-2' });
    const noLines = await api.post(`/orders/${orderId}/transactions/${transactionId}/refund/250.00`, {});
    expect(noLines.data.status).toMatchObject({ errorNumber: 3003, statusKey: 'LINE_ITEMS_REQUIRED' });

    const wrongSum = await api.post(`/orders/${orderId}/transactions/${transactionId}/refund/250.00`, { lineItems: [line('1', '1000.50')] });
    expect(wrongSum.data.status.errorNumber).toBe(-2);

    const partial = await api.post(`/orders/${orderId}/transactions/${transactionId}/refund/250.00`, { lineItems: [line('2', '250.00')] });
    expect(partial.data).toMatchObject({ status: { isSuccess: true }, totalAmountRefunded: 250, canRefundAgain: true, amountRemainingForRefund: 1000.5 });
    expect(partial.data.transactionId).toMatch(/^\d{18}$/);

    const tooMuch = await api.post(`/orders/${orderId}/transactions/${transactionId}/refund/1250.50`, {});
    expect(tooMuch.data.status.isSuccess).toBe(false);
  });

  it('refunds the full amount without line items', async () => {
    const { orderId, transactionId } = await createAuthorized('K-FULLREF');
    await api.post(`/orders/${orderId}/transactions/${transactionId}/finalize/1250.50`, {});
    const res = await api.post(`/orders/${orderId}/transactions/${transactionId}/refund/1250.50`, {});
    expect(res.data).toMatchObject({ totalAmountRefunded: 1250.5, canRefundAgain: false, amountRemainingForRefund: 0 });
  });
});

describe('Paynova simulator: addresses and customer profiles', () => {
  it('looks up a deterministic Swedish address by personnummer', async () => {
    const a = await api.get(`/addresses/SE/${PNR}`);
    const b = await api.get(`/addresses/SE/${PNR}`);
    expect(a.data.status.isSuccess).toBe(true);
    expect(a.data).toEqual(b.data);
    expect(a.data.addresses[0].address).toMatchObject({ countryCode: 'SE', city: expect.any(String), postalCode: expect.stringMatching(/^\d{3} \d{2}$/) });
    const bad = await api.get(`/addresses/SE/${PNR_BAD_LUHN}`);
    expect(bad.data.status.errors[0]).toMatchObject({ errorCode: 'GovernmentIdIsInvalid', fieldName: 'GovernmentId' });
  });

  it('reads and deletes saved cards; unknown profile 2000, unknown card 2001', async () => {
    const profile = await sandbox.paynova.control.addCustomerProfile({ profileId: 'patient-1', cards: [{ lastFour: '1111' }] });
    const cardId = profile.profileCards[0]!.cardId;
    const got = await api.get('/customerprofiles/patient-1');
    expect(got.data.profileCards).toEqual([expect.objectContaining({ cardId, lastFour: '1111', firstSix: '424242' })]);
    expect((await api.delete('/customerprofiles/patient-1/cards/nope')).data.status.errorNumber).toBe(2001);
    expect((await api.delete(`/customerprofiles/patient-1/cards/${cardId}`)).data.status.isSuccess).toBe(true);
    expect((await api.delete('/customerprofiles/patient-1')).data.status.isSuccess).toBe(true);
    expect((await api.get('/customerprofiles/patient-1')).data.status).toMatchObject({ errorNumber: 2000, statusKey: 'CUST_PROF_NOT_FOUND' });
  });
});

describe('Paynova simulator: merchants and control state', () => {
  it("keeps merchants apart: another merchant's order is 3000 and its orderNumber space is separate", async () => {
    await sandbox.paynova.control.setMerchant({ merchantId: '20000002', apiPassword: 'other-pass', secretKey: 'other-secret' });
    const other = axios.create({ baseURL: sandbox.paynova.url, auth: { username: '20000002', password: 'other-pass' }, validateStatus: () => true });
    const mine = await api.post('/orders/create', detailedOrder('K-SHARED'));
    const theirs = await other.post('/orders/create', detailedOrder('K-SHARED'));
    expect(theirs.status).toBe(201);
    expect(theirs.data.orderId).not.toBe(mine.data.orderId);
    expect((await other.get(`/orders/${mine.data.orderId}/info`)).data.status.errorNumber).toBe(3000);
  });

  it('goes overdue only for a sent, unpaid invoice, and exposes it in /__control/state', async () => {
    const { orderId, transactionId } = await createAuthorized('K-OVERDUE');
    await expect(sandbox.paynova.control.goOverdue(orderId)).rejects.toMatchObject({ status: 409 });
    await api.post(`/orders/${orderId}/transactions/${transactionId}/finalize/1250.50`, {});
    const tx = await sandbox.paynova.control.goOverdue(orderId);
    expect(tx.overdueAt).toEqual(expect.any(String));
    const { state } = await sandbox.paynova.control.state();
    expect(state).toMatchObject({ transactions: [expect.objectContaining({ transactionId, overdueAt: tx.overdueAt })] });
    await sandbox.paynova.control.payInvoice(orderId);
    await expect(sandbox.paynova.control.payInvoice(orderId)).rejects.toMatchObject({ status: 409 });
  });
});

describe('Paynova simulator: control API input', () => {
  it('validates control input with field-named issues', async () => {
    await expect(sandbox.paynova.control.failPayment('x', 'lost_wallet' as never)).rejects.toMatchObject({ status: 404 });
    const created = await api.post('/orders/create', detailedOrder('K-CTRL'));
    await expect(sandbox.paynova.control.failPayment(created.data.orderId, 'lost_wallet' as never)).rejects.toMatchObject({
      status: 400,
      body: { issues: [expect.objectContaining({ field: 'reason' })] },
    });
    await expect(sandbox.paynova.control.payInvoice(created.data.orderId)).rejects.toMatchObject({ status: 409 });
  });
});
