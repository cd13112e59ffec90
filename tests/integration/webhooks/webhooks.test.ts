import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PaynovaClient } from '../../../src-main/integrations/paynova/client';
import type { CreateOrderInput } from '../../../src-main/integrations/paynova/order-body';
import { SmsClient } from '../../../src-main/integrations/twilio/client';
import { createInvoiceSeries } from '../../../src-main/services/invoice-series';
import { issueInvoice } from '../../../src-main/services/invoices';
import { createOrder, getMoneyEvents, getOrder } from '../../../src-main/services/orders';
import { createPatient, getPatient } from '../../../src-main/services/patients';
import { bodyDigest, headerDigest } from '../../../src-sandbox/paynova/event-hooks';
import type { PaymentOption } from '../../../src-shared/schemas/enums';
import { startTestSandbox, type Sandbox } from '../../support/sandbox';
import {
  ADMIN_TOKEN, api, createBackend, createClinic, DB_KINDS, enrolDesk, eventually, orderInput, patientInput, serverEntities, startServer,
  type Desk, type RunningServer, type TestBackend, type TestClinic,
} from '../sync/support/harness';
import { unwrap as must } from '../../../src-shared/domain/result';

const admin = { authorization: `Admin ${ADMIN_TOKEN}` };
const SERVER_KEY = randomBytes(32).toString('hex');
const paynovaTime = (d: Date) => d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');

let sandbox: Sandbox;
let paynova: PaynovaClient;
let savedKey: string | undefined;

beforeAll(async () => {
  savedKey = process.env.KASSA_SERVER_SECRET_KEY;
  process.env.KASSA_SERVER_SECRET_KEY = SERVER_KEY;
  sandbox = await startTestSandbox();
  paynova = new PaynovaClient({ baseUrl: sandbox.paynova.url, timeoutMs: 5000, credentials: async () => sandbox.paynova.merchant });
});

afterAll(async () => {
  await sandbox?.close();
  if (savedKey === undefined) delete process.env.KASSA_SERVER_SECRET_KEY;
  else process.env.KASSA_SERVER_SECRET_KEY = savedKey;
});

describe.each(DB_KINDS)('provider webhooks on the sync server (%s)', (kind) => {
  let backend: TestBackend;
  let server: RunningServer;
  let clinic: TestClinic;
  let desk: Desk;
  const logs: string[] = [];
  const hookUrl = () => `${server.url}/v1/webhooks/paynova`;

  beforeEach(async () => {
    logs.length = 0;
    await sandbox.paynova.control.reset();
    await sandbox.twilio.control.reset();
    backend = await createBackend(kind);
    server = await startServer(backend, { logger: { level: 'trace', stream: { write: (s: string) => void logs.push(s) } } });
    clinic = await createClinic(server.url);
    const { merchant } = sandbox.paynova;
    const cfg = await api(server.url, 'PUT', `/v1/admin/clinics/${clinic.clinicId}/provider-config`, {
      paynova: { merchantId: merchant.merchantId, secretKey: merchant.secretKey },
      twilio: sandbox.twilio.account,
    }, admin);
    expect(cfg).toMatchObject({ status: 200, body: { paynova: { merchantId: merchant.merchantId, secretKeySet: true }, twilio: { authTokenSet: true } } });
    await sandbox.paynova.control.setWebhook({ url: hookUrl() });
    desk = await enrolDesk(server.url, clinic, backend.dir, 'desk');
    must(await createInvoiceSeries(desk.store, desk.actor, { prefix: 'W', ocrCode: 7 }));
  });

  afterEach(async () => {
    // A 500 answer hides its cause from the test; DEBUG_HOOKS=1 prints the server's own log line.
    if (process.env.DEBUG_HOOKS) for (const l of logs) if (l.includes('request failed')) console.log(l.slice(0, 1500));
    await desk?.close();
    await server?.close();
    await backend?.dispose();
  });

  /** A desk order, issued with `option` and synced, registered + authorized (+ finalized) at the Paynova simulator. */
  async function issuedAtPaynova(option: PaymentOption, opts: { finalize?: boolean; sync?: boolean } = {}) {
    const p = must(await createPatient(desk.store, desk.actor, patientInput())).patient;
    const o = must(await createOrder(desk.store, desk.actor, orderInput(p.id))).order;
    const issued = must(await issueInvoice(desk.store, desk.actor, { orderId: o.id, paymentOption: option }));
    if (opts.sync !== false) await desk.engine.syncOnce();
    const input: CreateOrderInput = {
      orderNumber: o.orderNumber,
      description: `Faktura ${o.orderNumber}`,
      customer: { governmentId: p.personnummer, firstName: p.firstName, lastName: p.lastName },
      lines: o.lines.map((l) => ({ id: l.id.slice(0, 50), articleNumber: l.code, name: l.description, quantity: l.quantity, grossOre: l.lineTotal, vatCode: l.vatCode })),
    };
    const created = must(await paynova.createOrder(input));
    const product = option.kind === 'installments' ? ({ 3: 'InstallmentsThreeMonths', 6: 'InstallmentsSixMonths', 12: 'InstallmentsTwelveMonths' } as Record<number, string>)[option.months]! : 'DirectInvoice';
    const auth = must(await paynova.authorizePayment({ orderId: created.orderId, totalOre: created.totalOre, productId: product }));
    if (opts.finalize !== false) must(await paynova.finalize(created.orderId, auth.transactionId, created.totalOre, issued.invoice.invoiceNumber));
    return { patient: p, order: o, paynovaOrderId: created.orderId, transactionId: auth.transactionId };
  }

  /** The simulator's delivery of `status` for the order, once our server answered it. */
  async function delivery(paynovaOrderId: string, status: string) {
    const all = await sandbox.paynova.control.waitForEventHooks(
      (ds) => ds.some((d) => d.fields.ORDER_ID === paynovaOrderId && d.fields.PAYMENT_STATUS === status && d.outcome !== 'pending'),
    );
    return all.find((d) => d.fields.ORDER_ID === paynovaOrderId && d.fields.PAYMENT_STATUS === status)!;
  }

  const post = (body: string, headers: Record<string, string>) =>
    fetch(hookUrl(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  /** Re-signs a delivered body with the right secret after `edit`: what Paynova itself would send. */
  function resigned(body: string, edit: (f: URLSearchParams) => void, secret = sandbox.paynova.merchant.secretKey) {
    const f = new URLSearchParams(body);
    edit(f);
    f.set('DIGEST', bodyDigest(f.get('EVENT_TYPE')!, f.get('EVENT_TIMESTAMP')!, f.get('DELIVERY_TIMESTAMP')!, f.get('MERCHANT_ID')!, secret));
    const raw = f.toString();
    return { raw, headers: { 'pn-digest': headerDigest(raw, secret) } };
  }

  const activity = async () =>
    (await server.app.sdb.db.selectFrom('activity' as never).selectAll().execute()) as unknown as { action: string; outcome: string; details: string; subject: string | null }[];

  it('payment completed → the desk sees the order paid after pull; a retried delivery is answered 200 and not applied twice; an exact replay is refused', async () => {
    const { order, paynovaOrderId } = await issuedAtPaynova({ kind: 'invoice14' });
    await sandbox.paynova.control.payInvoice(paynovaOrderId);
    const done = await delivery(paynovaOrderId, 'COMPLETED');
    expect(done.outcome).toBe('delivered');
    expect(done.attempts.at(-1)?.responseStatus).toBe(200);

    await desk.engine.syncOnce();
    expect(await getOrder(desk.store, desk.actor, order.id)).toMatchObject({ status: 'paid', paidTotal: order.total });
    expect((await getOrder(desk.store, desk.actor, order.id))?.activatedAt).toBeTruthy();
    expect((await getMoneyEvents(desk.store, desk.actor, order.id)).filter((m) => m.kind === 'payment')).toEqual([
      expect.objectContaining({ amount: order.total, source: 'provider' }),
    ]);

    // Paynova's retry of the same event: fresh DELIVERY_TIMESTAMP (5 s later) and digests.
    const attempt = done.attempts.at(-1)!;
    const later = paynovaTime(new Date(Date.parse(attempt.deliveryTimestamp.replace(' ', 'T')) + 5000));
    const retry = resigned(attempt.body, (f) => f.set('DELIVERY_TIMESTAMP', later));
    expect(await post(retry.raw, retry.headers)).toMatchObject({ status: 200, body: { ok: true, duplicate: true, outcome: 'applied' } });
    // The exact bytes again: a replay.
    expect(await post(attempt.body, { 'pn-digest': attempt.headers['pn-digest']! })).toMatchObject({ status: 409, body: { error: 'replayed' } });

    const payments = (await serverEntities(server.app, clinic.clinicId, 'money_event')).map((r) => JSON.parse(r.data) as { kind: string }).filter((m) => m.kind === 'payment');
    expect(payments).toHaveLength(1);
    const acts = (await activity()).filter((a) => a.action === 'webhook.paynova');
    expect(acts.map((a) => [a.outcome, (JSON.parse(a.details) as { why?: string; result?: string }).why ?? (JSON.parse(a.details) as { result?: string }).result])).toEqual(
      expect.arrayContaining([['ok', 'applied'], ['ok', 'duplicate_delivery'], ['refused', 'replayed_delivery']]),
    );
  });

  it('installment plan: AUTHORIZED changes nothing, COMPLETED after finalize starts the plan → the desk sees installments', async () => {
    const { order, paynovaOrderId } = await issuedAtPaynova({ kind: 'installments', months: 12 });
    const authorized = await delivery(paynovaOrderId, 'AUTHORIZED');
    expect(authorized.attempts.at(-1)?.responseStatus).toBe(200);
    await desk.engine.syncOnce();
    expect(await getOrder(desk.store, desk.actor, order.id)).toMatchObject({ status: 'invoiced' });

    await sandbox.paynova.control.payInvoice(paynovaOrderId);
    expect((await delivery(paynovaOrderId, 'COMPLETED')).attempts.at(-1)?.responseStatus).toBe(200);
    await desk.engine.syncOnce();
    const o = await getOrder(desk.store, desk.actor, order.id);
    expect(o).toMatchObject({ status: 'installments', statusReason: 'none', paidTotal: 0 });
    expect(o?.activatedAt).toBeTruthy();
  });

  it('declined (insufficient funds, DECLINED_BY_PROCESSOR on the wire) and failed authentication: the order stays invoiced and the desk sees why', async () => {
    const a = await issuedAtPaynova({ kind: 'invoice14' });
    await sandbox.paynova.control.failPayment(a.paynovaOrderId, 'insufficient_funds');
    expect((await delivery(a.paynovaOrderId, 'DECLINED')).attempts.at(-1)?.responseStatus).toBe(200);
    await desk.engine.syncOnce();
    // Paynova has no insufficient-funds reason: it arrives as a processor decline, and is shown as one.
    expect(await getOrder(desk.store, desk.actor, a.order.id)).toMatchObject({ status: 'invoiced', statusReason: 'declined_by_processor' });
    const rec = (await activity()).find((x) => x.action === 'webhook.paynova' && x.subject === `order:${a.order.id}` && x.details.includes('DECLINED'));
    expect(JSON.parse(rec!.details)).toMatchObject({ paymentStatus: 'DECLINED', paymentStatusReason: 'DECLINED_BY_PROCESSOR', event: 'payment_failed', result: 'applied' });

    const b = await issuedAtPaynova({ kind: 'invoice14' });
    await sandbox.paynova.control.failPayment(b.paynovaOrderId, 'authentication_failed');
    await delivery(b.paynovaOrderId, 'DECLINED');
    await desk.engine.syncOnce();
    expect(await getOrder(desk.store, desk.actor, b.order.id)).toMatchObject({ status: 'invoiced', statusReason: 'authentication_failed' });
  });

  it('an event illegal for the status is answered 200, recorded, and a notice reaches the desk', async () => {
    const { order, paynovaOrderId } = await issuedAtPaynova({ kind: 'invoice14' });
    await sandbox.paynova.control.payInvoice(paynovaOrderId);
    await delivery(paynovaOrderId, 'COMPLETED');
    await sandbox.paynova.control.failPayment(paynovaOrderId, 'cancelled_by_customer');
    expect((await delivery(paynovaOrderId, 'CANCELLED')).attempts.at(-1)?.responseStatus).toBe(200);
    await desk.engine.syncOnce();
    expect(await getOrder(desk.store, desk.actor, order.id)).toMatchObject({ status: 'paid' });
    const notices = (desk.store.sqlite.prepare(`SELECT data FROM sync_entities WHERE entity = 'notice'`).all() as { data: string }[]).map((r) => JSON.parse(r.data) as Record<string, string>);
    expect(notices).toContainEqual(expect.objectContaining({ kind: 'provider_event_not_applied', orderId: order.id, event: 'cancelled' }));
  });

  it('a hook that arrives before the desk synced the invoice is answered 409 and applied on Paynova\'s retry', async () => {
    await sandbox.paynova.control.configureEventHooks({ retryIntervalMs: 400, attempts: 10 });
    const { order, paynovaOrderId } = await issuedAtPaynova({ kind: 'invoice14' }, { sync: false });
    await sandbox.paynova.control.payInvoice(paynovaOrderId);
    await sandbox.paynova.control.waitForEventHooks((ds) => ds.some((d) => d.fields.PAYMENT_STATUS === 'COMPLETED' && d.attempts.some((x) => x.responseStatus === 409)));
    await desk.engine.syncOnce();
    const done = await delivery(paynovaOrderId, 'COMPLETED');
    expect(done.outcome).toBe('delivered');
    await desk.engine.syncOnce();
    expect(await getOrder(desk.store, desk.actor, order.id)).toMatchObject({ status: 'paid', paidTotal: order.total });
  });

  it('refuses forged DIGEST, a tampered body (Pn-Digest), a wrong secret, an unknown merchant and a stale event — and applies none of them', async () => {
    const { order, paynovaOrderId } = await issuedAtPaynova({ kind: 'invoice14' });
    // The simulator signs with a secret that is not the clinic's.
    await sandbox.paynova.control.setWebhook({ url: hookUrl(), secretKey: 'not-the-clinic-secret-key' });
    await sandbox.paynova.control.payInvoice(paynovaOrderId);
    const forgedBySim = await sandbox.paynova.control.waitForEventHooks((ds) => ds.some((d) => d.fields.PAYMENT_STATUS === 'COMPLETED' && d.outcome === 'failed'));
    const attempt = forgedBySim.find((d) => d.fields.PAYMENT_STATUS === 'COMPLETED')!.attempts[0]!;
    expect(attempt.responseStatus).toBe(403);

    // A fresh, correctly signed delivery of the same event, then altered in four ways.
    const good = resigned(attempt.body, () => {});
    const forgedDigest = new URLSearchParams(good.raw);
    forgedDigest.set('DIGEST', 'A'.repeat(40));
    const fdRaw = forgedDigest.toString();
    expect(await post(fdRaw, { 'pn-digest': headerDigest(fdRaw, sandbox.paynova.merchant.secretKey) })).toMatchObject({ status: 403, body: { error: 'bad_digest' } });
    expect(await post(good.raw.replace(/AMOUNT=[^&]+/, 'AMOUNT=1.00'), good.headers)).toMatchObject({ status: 403, body: { error: 'bad_digest' } });
    expect(await post(good.raw, {})).toMatchObject({ status: 401, body: { error: 'digest_missing' } });
    const other = resigned(attempt.body, (f) => f.set('MERCHANT_ID', 'NO-SUCH-MERCHANT'));
    expect(await post(other.raw, other.headers)).toMatchObject({ status: 403, body: { error: 'unknown_merchant' } });
    const old = resigned(attempt.body, (f) => {
      f.set('EVENT_TIMESTAMP', paynovaTime(new Date(Date.now() - 3 * 86_400_000)));
      f.set('DELIVERY_TIMESTAMP', paynovaTime(new Date(Date.now() - 3 * 86_400_000)));
    });
    expect(await post(old.raw, old.headers)).toMatchObject({ status: 403, body: { error: 'stale_delivery' } });

    await desk.engine.syncOnce();
    expect(await getOrder(desk.store, desk.actor, order.id)).toMatchObject({ status: 'invoiced', paidTotal: 0 });
    const refused = (await activity()).filter((a) => a.action === 'webhook.paynova' && a.outcome === 'refused').map((a) => (JSON.parse(a.details) as { why: string }).why);
    expect(refused).toEqual(expect.arrayContaining(['bad_digest', 'digest_missing', 'unknown_merchant', 'stale_delivery']));

    // The untouched fresh delivery is accepted: the refusals were about the signatures, not the event.
    expect(await post(good.raw, good.headers)).toMatchObject({ status: 200, body: { outcome: 'applied', status: 'paid' } });
  });

  it('malformed, oversized or non-form bodies are refused with the field named, and the server keeps serving', async () => {
    const missing = await post('EVENT_TYPE=PAYMENT&EVENT_TIMESTAMP=2026-11-22%2003%3A00%3A00Z', { 'pn-digest': 'A'.repeat(40) });
    expect(missing).toMatchObject({ status: 400, body: { field: expect.stringMatching(/^body\.(DELIVERY_TIMESTAMP|MERCHANT_ID|DIGEST)$/) } });
    const badTime = await post(`EVENT_TYPE=PAYMENT&EVENT_TIMESTAMP=yesterday&DELIVERY_TIMESTAMP=2026-11-22%2003%3A00%3A00Z&MERCHANT_ID=1&DIGEST=${'A'.repeat(40)}`, {});
    expect(badTime).toMatchObject({ status: 400, body: { field: 'body.EVENT_TIMESTAMP' } });
    expect(await post('MERCHANT_ID=1&MERCHANT_ID=2', {})).toMatchObject({ status: 400, body: { field: 'body.MERCHANT_ID' } });
    expect(await post(`EVENT_TYPE=${'A'.repeat(40_000)}`, {})).toMatchObject({ status: 413 });
    const json = await fetch(hookUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"EVENT_TYPE":"PAYMENT"}' });
    expect(json.status).toBe(415);
    const tw = await fetch(`${server.url}/v1/webhooks/twilio`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'MessageSid=SM1&MessageStatus=exploded' });
    expect(tw.status).toBe(400);
    expect(((await tw.json()) as { field: string }).field).toMatch(/^body\.(MessageSid|MessageStatus|AccountSid)$/);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('Twilio: simulator-signed callbacks are accepted, a forged one is refused, a late "sent" never moves "delivered" back, and 21610 opts the patient out', async () => {
    const p = must(await createPatient(desk.store, desk.actor, patientInput())).patient;
    await desk.engine.syncOnce();
    const sms = new SmsClient({
      baseUrl: sandbox.twilio.url, timeoutMs: 5000, credentials: async () => sandbox.twilio.account, senderId: 'Tandvard', messagingServiceSid: null,
      statusCallbackUrl: `${server.url}/v1/webhooks/twilio`,
    });
    const sent = must(await sms.send({ to: p.phone!, body: 'Hej! Din faktura.', subject: null }));
    const [msg] = await sandbox.twilio.control.waitForMessages((ms) => ms.some((m) => m.sid === sent.sid && m.callbacks.length >= 2 && m.callbacks.every((c) => c.responseStatus !== undefined)));
    expect(msg!.callbacks.map((c) => [c.params.MessageStatus, c.responseStatus])).toEqual([['sent', 200], ['delivered', 200]]);

    const noticeOf = async () => {
      await desk.engine.syncOnce();
      const row = desk.store.sqlite.prepare(`SELECT data FROM sync_entities WHERE entity = 'notice' AND id = ?`).get(`sms:${sent.sid}`) as { data: string } | undefined;
      return row ? (JSON.parse(row.data) as { status: string; errorCode: number | null }) : null;
    };
    expect(await noticeOf()).toMatchObject({ status: 'delivered' });

    // The simulator's own signed "sent" callback, delivered late.
    const late = msg!.callbacks[0]!;
    const twilioPost = (params: Record<string, string>, signature: string, url = late.url) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(params).toString() }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    expect(await twilioPost(late.params, late.signature)).toMatchObject({ status: 200, body: { status: 'delivered', changed: false } });
    expect(await noticeOf()).toMatchObject({ status: 'delivered' });

    // Forged: right fields, signature made with another token; and no signature at all.
    const forged = twilio.getExpectedTwilioSignature('0'.repeat(32), late.url, { ...late.params, MessageStatus: 'failed', ErrorCode: '30005' });
    expect(await twilioPost({ ...late.params, MessageStatus: 'failed', ErrorCode: '30005' }, forged)).toMatchObject({ status: 403, body: { error: 'bad_signature' } });
    expect(await fetch(late.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(late.params).toString() }).then((r) => r.status)).toBe(401);

    // 21610 comes from Twilio (the simulator refuses such a message at create time instead): signed with the account's token through the SDK.
    const optOut = { ...late.params, MessageSid: `SM${randomBytes(16).toString('hex')}`, MessageStatus: 'undelivered', ErrorCode: '21610' };
    const signed = twilio.getExpectedTwilioSignature(sandbox.twilio.account.authToken, late.url, optOut);
    expect(await twilioPost(optOut, signed)).toMatchObject({ status: 200, body: { status: 'undelivered', optedOut: 1 } });
    await desk.engine.syncOnce();
    expect(await getPatient(desk.store, desk.actor, p.id)).toMatchObject({ smsConsent: false, smsBlockedReason: expect.stringMatching(/opted out.*21610/) });
  });

  it('the secrets never appear in logs, activity records, the change feed, API answers or the stored config', async () => {
    const { paynovaOrderId } = await issuedAtPaynova({ kind: 'invoice14' });
    await sandbox.paynova.control.payInvoice(paynovaOrderId);
    await delivery(paynovaOrderId, 'COMPLETED');
    // A refused one too (its refusal is logged).
    await post('EVENT_TYPE=PAYMENT', {});
    const view = await api(server.url, 'GET', `/v1/admin/clinics/${clinic.clinicId}/provider-config`, undefined, admin);
    expect(view.status).toBe(200);
    await eventually(() => logs.length > 0, 'server logs');

    const secrets = [sandbox.paynova.merchant.secretKey, sandbox.twilio.account.authToken, SERVER_KEY];
    const db = server.app.sdb.db;
    const dump = JSON.stringify([
      logs,
      view.body,
      await db.selectFrom('activity' as never).selectAll().execute(),
      await db.selectFrom('changes').selectAll().execute(),
      await db.selectFrom('entities').selectAll().execute(),
      await db.selectFrom('provider_configs' as never).selectAll().execute(),
    ]);
    expect(dump).toContain(sandbox.paynova.merchant.merchantId);
    for (const s of secrets) expect(dump).not.toContain(s);
    // Sealed values are bound to their clinic: the ciphertext is there, the plaintext is not.
    expect(dump).toMatch(/v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+/);
  });
});
