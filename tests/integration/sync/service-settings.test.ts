import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVICE_SETTINGS, type ServiceSettings } from '../../../src-shared/schemas/accounts';
import { World } from '../accounts/support';
import { startDeskCore, type DeskCore } from './support/desk-core';
import { createClinic, DB_KINDS, patientInput } from './support/harness';

/**
 * The system administrator changes the central service settings in the console; a real desk core
 * (the one the UI calls, through its dispatcher) pulls them and offers what the service offers:
 * the installment terms and their fees in the issue dialog, and the central SMS templates.
 */
describe.each(DB_KINDS)('central service settings on the desk (%s)', (kind) => {
  let w: World;
  let sys: string;
  let desk: DeskCore;

  beforeEach(async () => {
    w = await World.start(kind);
    sys = await w.consoleToken();
    desk = await startDeskCore(w.url, await createClinic(w.url));
  });
  afterEach(async () => {
    await desk?.close();
    await w?.close();
  });

  const call = <T = unknown>(name: Parameters<DeskCore['call']>[0], input: unknown) => desk.call<T>(name, input);
  type Options = { options: { option: { kind: string; months?: number }; setupFee: number; monthlyFee: number; annualInterestBp: number }[] };
  const offered = async (orderId: string) => (await call<Options>('orders.paymentOptions', { orderId })).options.filter((o) => o.option.kind === 'installments');

  it('a console change to installment terms, fees and an SMS template changes what the desk offers and sends', async () => {
    const { id: patientId } = await call<{ id: string }>('patients.create', { ...patientInput(), smsConsent: true, id: undefined });
    const order = await call<{ id: string }>('orders.create', {
      patientId, clinician: 'Dr Berg', lines: [{ priceItemId: null, code: 'U1', description: 'Undersökning', quantity: 1, unitPrice: 950_000, vatCode: 'exempt' }],
    });

    // The service defaults: every term, 295 kr to start and 39 kr a month.
    expect((await offered(order.id)).map((o) => [o.option.months, o.setupFee, o.monthlyFee])).toEqual([[3, 29_500, 3_900], [6, 29_500, 3_900], [12, 29_500, 3_900], [18, 29_500, 3_900], [24, 29_500, 3_900]]);

    const changed: ServiceSettings = {
      ...DEFAULT_SERVICE_SETTINGS,
      installments: { months: [12, 6], annualInterestBp: 495, setupFee: 19_900, monthlyFee: 2_500 },
      smsTemplates: { ...DEFAULT_SERVICE_SETTINGS.smsTemplates, invoice_issued: { sv: 'Från centralen – {clinic}: {amount} senast {dueDate}, OCR {ocr}. {link}', en: 'From the office – {clinic}: {amount} by {dueDate}, OCR {ocr}. {link}' } },
    };
    expect((await w.con(sys, 'PUT', '/settings', changed)).status).toBe(200);
    await call('sync.now', {});

    const now = await offered(order.id);
    expect(now.map((o) => [o.option.months, o.setupFee, o.monthlyFee, o.annualInterestBp])).toEqual([[6, 19_900, 2_500, 495], [12, 19_900, 2_500, 495]]);
    // A term the service no longer offers is refused by the core, whatever the renderer sends.
    await expect(call('orders.issueInvoice', { orderId: order.id, paymentOption: { kind: 'installments', months: 3 } })).rejects.toMatchObject({ code: 'validation', field: 'paymentOption.months' });

    const issued = await call<{ invoiceNumber: string }>('orders.issueInvoice', { orderId: order.id, paymentOption: { kind: 'installments', months: 6 } });
    expect(issued.invoiceNumber).toMatch(/^S/);
    const detail = await call<{ plan: { setupFee: number; monthlyFee: number; annualInterestBp: number } | null }>('orders.get', { id: order.id });
    expect(detail.plan).toMatchObject({ setupFee: 19_900, monthlyFee: 2_500, annualInterestBp: 495 });
    // The invoice SMS is written with the central template.
    const job = desk.core.deps.store.sqlite.prepare(`SELECT payload FROM job WHERE kind = 'sms.send' AND subject = ?`).get(`order:${order.id}`) as { payload: string } | undefined;
    expect(JSON.parse(job!.payload).body).toMatch(/^Från centralen – /);
  });
});
