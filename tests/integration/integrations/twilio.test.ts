import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobOutcome } from '../../../src-main/jobs/runner';
import { enqueueJob, listJobs } from '../../../src-main/jobs/queue';
import { enqueuePatientSms } from '../../../src-main/jobs/patient-sms';
import { pollSmsStatuses, recordSmsStatus } from '../../../src-main/jobs/sms-status';
import { renderSms } from '../../../src-main/integrations/twilio/templates';
import type { SmsClient } from '../../../src-main/integrations/twilio/client';
import twilio from 'twilio';
import { SmsClient as Sms } from '../../../src-main/integrations/twilio/client';
import { TwilioStatusCallback } from '../../../src-shared/schemas/providers';
import { startReceiver, startTestSandbox, type Sandbox } from '../../support/sandbox';
import { drain, fastRunner, paynovaClient, smsClient, storeSandboxSecrets, tempDb, testSecretStore, type TempDb } from './helpers';

let sandbox: Sandbox;
let keychain: ReturnType<typeof testSecretStore>;
let sms: SmsClient;
let t: TempDb;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  keychain = testSecretStore();
  await storeSandboxSecrets(keychain.secrets, sandbox);
  sms = smsClient(sandbox, keychain.secrets);
});
afterAll(async () => {
  await keychain?.cleanup();
  await sandbox?.close();
});
beforeEach(async () => {
  t = await tempDb();
  await sandbox.twilio.control.clearFaults();
});
afterEach(async () => {
  await t.cleanup();
});

let n = 0;
const number = () => `+4670${String(1_000_000 + ++n).slice(-7)}`;

function invoiceSms(): string {
  const r = renderSms('invoice_issued', 'sv', { clinic: 'Tandläkarna City', amount: 345_000, dueDate: '2026-12-06', ocr: '12345682', link: 'https://pay.example.se/p/abc' });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function sendJob(to: string, body = invoiceSms(), key = `sms-${to}-${n}`) {
  const settled: { status: string; outcome: JobOutcome }[] = [];
  const runner = fastRunner(t.store.db, paynovaClient(sandbox, keychain.secrets), sms, {
    async onSettled(trx, job, outcome) {
      settled.push({ status: job.status, outcome });
      // The caller's consequence commits with the job: here, a consent flag in the activity log.
      void trx;
    },
  });
  await t.store.db.transaction().execute((trx) => enqueueJob(trx, { kind: 'sms.send', idempotencyKey: key, clinicId: 'c1', subject: 'invoice:1', payload: { to, body } }));
  await drain(runner, t.store.db);
  const [job] = await listJobs(t.store.db, { kind: ['sms.send'] });
  return { job: job!, settled };
}

describe('Twilio SMS through the official SDK against the simulator', () => {
  it('sends with the SDK pointed at the simulator and tracks delivery to "delivered"', async () => {
    const to = number();
    const { job } = await sendJob(to);
    expect(job.status).toBe('succeeded');
    const sid = (job.result as { sid: string }).sid;
    expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
    const [message] = await sandbox.twilio.control.waitForMessages((ms) => ms.some((m) => m.sid === sid && m.status === 'delivered'));
    expect(message).toBeDefined();
    const messages = await sandbox.twilio.control.messages(to);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.body).toMatch(/3\s450,00\skr/u);
    expect(messages[0]!.body).toContain('OCR: 12345682');
    await pollSmsStatuses(t.store.db, sms);
    const row = await t.store.db.selectFrom('sms_message').selectAll().where('sid', '=', sid).executeTakeFirstOrThrow();
    expect(row.status).toBe('delivered');
  });

  it.each([
    [30003, 'retry_later'],
    [30005, 'undeliverable'],
    [30006, 'undeliverable'],
  ] as const)('an undelivered message with %i gets the verdict %s', async (code, verdict) => {
    const to = number();
    await sandbox.twilio.control.setNextOutcome({ to, outcome: 'undelivered', errorCode: code });
    const { job } = await sendJob(to);
    expect(job.status).toBe('succeeded'); // accepted by Twilio; delivery fails later
    const sid = (job.result as { sid: string }).sid;
    await sandbox.twilio.control.waitForMessages((ms) => ms.some((m) => m.sid === sid && m.status === 'undelivered'));
    await pollSmsStatuses(t.store.db, sms);
    const row = await t.store.db.selectFrom('sms_message').selectAll().where('sid', '=', sid).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'undelivered', error_code: code });
    // A late "sent" callback cannot move it back.
    const late = await recordSmsStatus(t.store.db, { sid, status: 'sent', errorCode: null });
    expect(late).toMatchObject({ status: 'undelivered', changed: false, verdict });
  });

  it('21610 (STOP) fails the job as opted_out with a typed result the caller stores, and sends nothing', async () => {
    const to = number();
    await sandbox.twilio.control.setOptOut({ to, optedOut: true });
    const { job, settled } = await sendJob(to);
    expect(job.status).toBe('failed');
    expect(job.result).toMatchObject({ outcome: 'opted_out', twilioCode: 21610, optedOut: true });
    expect(job.lastError).toMatch(/opted out/i);
    expect(settled).toHaveLength(1);
    expect(settled[0]!.outcome.type).toBe('failed');
    expect(await sandbox.twilio.control.messages(to)).toHaveLength(0);
  });

  it.each([
    ['invalid', 21211, 'sms.invalid_number'],
    ['not_mobile', 21614, 'sms.not_mobile'],
  ] as const)('%s number (%i) fails permanently without retries', async (outcome, code, errorCode) => {
    const to = number();
    await sandbox.twilio.control.setNextOutcome({ to, outcome });
    const { job } = await sendJob(to);
    expect(job).toMatchObject({ status: 'failed', attempts: 1, lastErrorCode: errorCode });
    expect(job.result).toMatchObject({ outcome: 'rejected', twilioCode: code });
  });

  it('retries a 429 and a 5xx and then sends exactly once', async () => {
    const to = number();
    await sandbox.twilio.control.addFault({ route: 'Messages\\.json$', method: 'POST', kind: 'rate_limit', times: 1 });
    await sandbox.twilio.control.addFault({ route: 'Messages\\.json$', method: 'POST', kind: 'http5xx', status: 503, times: 1 });
    const { job } = await sendJob(to);
    expect(job.status).toBe('succeeded');
    expect(job.attempts).toBe(3);
    expect(await sandbox.twilio.control.messages(to)).toHaveLength(1);
  });

  it('after a timeout (maybe sent) it asks Twilio first, then sends exactly once', async () => {
    const to = number();
    // Our 300 ms timeout fires while the simulator holds the request.
    await sandbox.twilio.control.addFault({ route: 'Messages\\.json$', method: 'POST', kind: 'latency', latencyMs: 800, times: 1 });
    const quick = smsClient(sandbox, keychain.secrets, 300);
    const runner = fastRunner(t.store.db, paynovaClient(sandbox, keychain.secrets), quick);
    const body = invoiceSms();
    await t.store.db.transaction().execute((trx) => enqueueJob(trx, { kind: 'sms.send', idempotencyKey: 'timeout-1', clinicId: 'c1', payload: { to, body } }));
    await runner.runDue();
    const [afterFirst] = await listJobs(t.store.db);
    expect(afterFirst).toMatchObject({ status: 'pending', lastErrorCode: 'sms.transport', attempts: 1 });
    await new Promise((r) => setTimeout(r, 900)); // let the held request finish on the simulator's side
    await drain(runner, t.store.db);
    const [job] = await listJobs(t.store.db);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(await sandbox.twilio.control.messages(to)).toHaveLength(1);
    // The retry looked (GET list) before it sent again (second POST).
    const seen = await sandbox.twilio.control.requests({ path: 'Messages\\.json$' });
    const mine = seen.slice(-3).map((r) => r.method);
    expect(mine).toEqual(['POST', 'GET', 'POST']);
  });

  it('an identical text sent earlier by another job is not mistaken for this job’s lost send', async () => {
    const to = number();
    const body = invoiceSms();
    const runner = fastRunner(t.store.db, paynovaClient(sandbox, keychain.secrets), smsClient(sandbox, keychain.secrets, 300));
    await t.store.db.transaction().execute((trx) => enqueueJob(trx, { kind: 'sms.send', idempotencyKey: 'first', clinicId: 'c1', payload: { to, body } }));
    await drain(runner, t.store.db);
    // The resend (same text, e.g. after 30003) times out on its first try: the retry must look, not find the first one, and send.
    await sandbox.twilio.control.addFault({ route: 'Messages\\.json$', method: 'POST', kind: 'latency', latencyMs: 800, times: 1 });
    await t.store.db.transaction().execute((trx) => enqueueJob(trx, { kind: 'sms.send', idempotencyKey: 'first#resend1', clinicId: 'c1', payload: { to, body } }));
    await runner.runDue();
    await new Promise((r) => setTimeout(r, 900));
    await drain(runner, t.store.db);
    const jobs = await listJobs(t.store.db);
    expect(jobs.map((j) => j.status)).toEqual(['succeeded', 'succeeded']);
    expect(await sandbox.twilio.control.messages(to)).toHaveLength(2);
    const sids = jobs.map((j) => (j.result as { sid: string }).sid);
    expect(new Set(sids).size).toBe(2);
  });

  it('after 21610 the caller stores the opt-out and no further SMS is even enqueued, with the reason', async () => {
    const to = number();
    const optedOut = new Set<string>(); // stands in for the patient record
    const runner = fastRunner(t.store.db, paynovaClient(sandbox, keychain.secrets), sms, {
      async onSettled(_trx, job) {
        if ((job.result as { optedOut?: boolean } | null)?.optedOut) optedOut.add('p1');
      },
    });
    const values = { clinic: 'Tandläkarna', amount: 50_000, dueDate: '2026-12-06', ocr: '12345682', link: 'https://pay.example.se/q' };
    const first = await t.store.db.transaction().execute((trx) =>
      enqueuePatientSms(trx, { clinicId: 'c1', patientId: 'p1', to, language: 'en', optedOut: optedOut.has('p1'), template: 'invoice_issued', values, idempotencyKey: 'inv-1:invoice_issued' }),
    );
    expect(first.ok).toBe(true);
    await sandbox.twilio.control.setNextOutcome({ to, outcome: 'opted_out' });
    await drain(runner, t.store.db);
    expect(optedOut.has('p1')).toBe(true);
    const second = await t.store.db.transaction().execute((trx) =>
      enqueuePatientSms(trx, { clinicId: 'c1', patientId: 'p1', to, language: 'en', optedOut: optedOut.has('p1'), template: 'overdue', values, idempotencyKey: 'inv-1:overdue' }),
    );
    expect(second).toEqual({ ok: false, error: { code: 'sms.opted_out', message: expect.stringMatching(/opted out/) } });
    expect(await listJobs(t.store.db)).toHaveLength(1);
    expect(await sandbox.twilio.control.messages(to)).toHaveLength(0);
  });

  it('sends StatusCallback; callbacks verify with the SDK and, applied in any order, end at the terminal status', async () => {
    const receiver = await startReceiver();
    try {
      const callbackUrl = `${receiver.url}/twilio/status`;
      const withCallback = new Sms({ baseUrl: sandbox.twilio.url, timeoutMs: 2000, credentials: () => keychain.secrets.twilioCredentials(), senderId: 'Tandvard', messagingServiceSid: null, statusCallbackUrl: callbackUrl });
      const to = number();
      const sent = await withCallback.send({ to, body: invoiceSms(), subject: null });
      expect(sent.ok).toBe(true);
      if (!sent.ok) return;
      const deadline = Date.now() + 5000;
      while (!receiver.received.some((r) => r.form.MessageStatus === 'delivered')) {
        if (Date.now() > deadline) throw new Error('no delivered callback');
        await new Promise((r) => setTimeout(r, 10));
      }
      const got = receiver.received;
      expect(got.length).toBeGreaterThanOrEqual(2);
      const statuses = [];
      for (const r of got) {
        expect(twilio.validateRequest(sandbox.twilio.account.authToken, String(r.headers['x-twilio-signature']), callbackUrl, r.form)).toBe(true);
        statuses.push(TwilioStatusCallback.parse(r.form));
      }
      expect(statuses.every((c) => c.MessageSid === sent.value.sid)).toBe(true);
      // Out of order: the newest first.
      for (const c of [...statuses].reverse()) await recordSmsStatus(t.store.db, { sid: c.MessageSid, status: c.MessageStatus, errorCode: c.ErrorCode ?? null, jobId: 'j', clinicId: 'c1' });
      const row = await t.store.db.selectFrom('sms_message').selectAll().where('sid', '=', sent.value.sid).executeTakeFirstOrThrow();
      expect(row.status).toBe('delivered');
    } finally {
      await receiver.close();
    }
  });
});
