import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SmsClient } from '../../../src-main/integrations/twilio/client';
import { recordSmsStatus } from '../../../src-main/jobs/sms-status';
import { createOrder } from '../../../src-main/services/orders';
import { createPatient } from '../../../src-main/services/patients';
import { unwrap as must } from '../../../src-shared/domain/result';
import { startTestSandbox, type Sandbox } from '../../support/sandbox';
import {
  ADMIN_TOKEN, api, createBackend, createClinic, DB_KINDS, enrolDesk, orderInput, patientInput, startServer, type Desk, type RunningServer, type TestBackend,
} from './support/harness';

/**
 * Twilio's status callbacks land on the sync server, which publishes them as `sms_status` notices;
 * the desk that sent the message applies them to its SMS history on its next pull, forward only.
 */
const SERVER_KEY = randomBytes(32).toString('hex');
let sandbox: Sandbox;
let savedKey: string | undefined;

beforeAll(async () => {
  savedKey = process.env.KASSA_SERVER_SECRET_KEY;
  process.env.KASSA_SERVER_SECRET_KEY = SERVER_KEY;
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox?.close();
  if (savedKey === undefined) delete process.env.KASSA_SERVER_SECRET_KEY;
  else process.env.KASSA_SERVER_SECRET_KEY = savedKey;
});

describe.each(DB_KINDS)('SMS delivery status from the server reaches the desk (%s)', (kind) => {
  let backend: TestBackend;
  let server: RunningServer;
  let desk: Desk;

  beforeEach(async () => {
    await sandbox.twilio.control.reset();
    backend = await createBackend(kind);
    server = await startServer(backend);
    const clinic = await createClinic(server.url);
    const cfg = await api(server.url, 'PUT', `/v1/admin/clinics/${clinic.clinicId}/provider-config`, { twilio: sandbox.twilio.account }, { authorization: `Admin ${ADMIN_TOKEN}` });
    expect(cfg.status).toBe(200);
    desk = await enrolDesk(server.url, clinic, backend.dir, 'desk');
  });
  afterEach(async () => {
    await desk?.close();
    await server?.close();
    await backend?.dispose();
  });

  /** What the desk's SMS history (orders.get → sms) reads: the sms_message rows of the order. */
  const history = (orderId: string) =>
    desk.store.sqlite.prepare(`SELECT sid, status, error_code FROM sms_message WHERE subject = ? ORDER BY sid`).all(`order:${orderId}`) as { sid: string; status: string; error_code: number | null }[];

  it('a delivered and a failed message move the desk\'s SMS history after a pull, and a late "sent" moves nothing back', async () => {
    const ok = must(await createPatient(desk.store, desk.actor, patientInput())).patient;
    const bad = must(await createPatient(desk.store, desk.actor, { ...patientInput(), phone: '+46709876543' })).patient;
    const order = must(await createOrder(desk.store, desk.actor, orderInput(ok.id))).order;
    await desk.engine.syncOnce();

    await sandbox.twilio.control.setNextOutcome({ to: bad.phone!, outcome: 'failed', errorCode: 30005 });
    const sms = new SmsClient({
      baseUrl: sandbox.twilio.url, timeoutMs: 5000, credentials: async () => sandbox.twilio.account, senderId: 'Tandvard', messagingServiceSid: null,
      statusCallbackUrl: `${server.url}/v1/webhooks/twilio`,
    });
    const sent: string[] = [];
    for (const to of [ok.phone!, bad.phone!]) {
      const s = must(await sms.send({ to, body: 'Hej! Din faktura.', subject: null }));
      // What the desk's send job records when Twilio accepts a message.
      await recordSmsStatus(desk.store.db, { sid: s.sid, jobId: `job-${s.sid}`, clinicId: desk.actor.clinicId, subject: `order:${order.id}`, status: 'queued', errorCode: null });
      sent.push(s.sid);
    }
    // Every callback reached the server and was answered.
    const msgs = await sandbox.twilio.control.waitForMessages((ms) =>
      sent.every((sid) => ms.some((m) => m.sid === sid && m.callbacks.some((c) => ['delivered', 'failed'].includes(c.params.MessageStatus ?? '')) && m.callbacks.every((c) => c.responseStatus !== undefined))),
    );
    expect(history(order.id).map((r) => r.status)).toEqual(['queued', 'queued']);

    await desk.engine.syncOnce();
    const bySid = new Map(history(order.id).map((r) => [r.sid, r]));
    expect(bySid.get(sent[0]!)).toMatchObject({ status: 'delivered', error_code: null });
    expect(bySid.get(sent[1]!)).toMatchObject({ status: 'failed', error_code: 30005 });

    // Twilio retries an early "sent" late: the server keeps "delivered", and so does the desk.
    const early = msgs.find((m) => m.sid === sent[0])!.callbacks.find((c) => c.params.MessageStatus === 'sent')!;
    const late = await fetch(early.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': early.signature }, body: new URLSearchParams(early.params).toString() });
    expect(late.status).toBe(200);
    await desk.engine.syncOnce();
    expect(history(order.id).find((r) => r.sid === sent[0])).toMatchObject({ status: 'delivered' });
  });

  it('a status pulled before the desk recorded its message is applied when it records it', async () => {
    const p = must(await createPatient(desk.store, desk.actor, patientInput())).patient;
    const order = must(await createOrder(desk.store, desk.actor, orderInput(p.id))).order;
    await desk.engine.syncOnce();
    const sms = new SmsClient({
      baseUrl: sandbox.twilio.url, timeoutMs: 5000, credentials: async () => sandbox.twilio.account, senderId: 'Tandvard', messagingServiceSid: null,
      statusCallbackUrl: `${server.url}/v1/webhooks/twilio`,
    });
    const { sid } = must(await sms.send({ to: p.phone!, body: 'Hej! Din faktura.', subject: null }));
    await sandbox.twilio.control.waitForMessages((ms) => ms.some((m) => m.sid === sid && m.callbacks.some((c) => c.params.MessageStatus === 'delivered' && c.responseStatus !== undefined)));
    // The desk pulls the delivery first (its send job was slow to record the answer)...
    await desk.engine.syncOnce();
    expect(history(order.id)).toEqual([]);
    // ...and the job then records the message as Twilio first answered: "queued" would be a step back.
    const applied = await recordSmsStatus(desk.store.db, { sid, jobId: `job-${sid}`, clinicId: desk.actor.clinicId, subject: `order:${order.id}`, status: 'queued', errorCode: null });
    expect(applied.status).toBe('delivered');
    expect(history(order.id)).toEqual([expect.objectContaining({ sid, status: 'delivered' })]);
  });
});
