import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enqueueJob, listJobs, retryDeadJob, cancelJob } from '../../../src-main/jobs/queue';
import { scheduleReconciliation } from '../../../src-main/jobs/reconcile';
import { createProviderRunner, startProviderJobs } from '../../../src-main/jobs/provider-runner';
import { ProviderSettings } from '../../../src-shared/schemas/providers';
import type { JobOutcome } from '../../../src-main/jobs/runner';
import type { JobView } from '../../../src-main/jobs/queue';
import { startTestSandbox, type Sandbox } from '../../support/sandbox';
import { drain, fastRunner, orderNumber, PATIENTS, paynovaClient, sampleOrder, smsClient, storeSandboxSecrets, tempDb, testSecretStore, type TempDb } from './helpers';

let sandbox: Sandbox;
let keychain: ReturnType<typeof testSecretStore>;
let t: TempDb;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  keychain = testSecretStore();
  await storeSandboxSecrets(keychain.secrets, sandbox);
});
afterAll(async () => {
  await keychain?.cleanup();
  await sandbox?.close();
});
beforeEach(async () => {
  t = await tempDb();
  await sandbox.paynova.control.clearFaults();
});
afterEach(async () => {
  await t.cleanup();
});

function runner(timeoutMs = 2000, hooks?: Parameters<typeof fastRunner>[3]) {
  return fastRunner(t.store.db, paynovaClient(sandbox, keychain.secrets, timeoutMs), smsClient(sandbox, keychain.secrets, timeoutMs), hooks);
}

async function enqueueOrder(number: string, option: { kind: 'invoice14' } | { kind: 'installments'; months: number } = { kind: 'invoice14' }, governmentId = PATIENTS.anna, maxAttempts?: number) {
  return t.store.db.transaction().execute((trx) =>
    enqueueJob(trx, {
      kind: 'paynova.create_authorize',
      idempotencyKey: number,
      clinicId: 'c1',
      subject: `order:${number}`,
      payload: { order: sampleOrder(number, governmentId), option },
      ...(maxAttempts ? { maxAttempts } : {}),
    }),
  );
}

async function only(kind?: JobView['kind']) {
  const jobs = await listJobs(t.store.db, kind ? { kind: [kind] } : {});
  expect(jobs).toHaveLength(1);
  return jobs[0]!;
}

describe('durable provider jobs', () => {
  it('a job row commits with the user action, or not at all', async () => {
    const number = orderNumber();
    await expect(
      t.store.db.transaction().execute(async (trx) => {
        await enqueueJob(trx, { kind: 'paynova.create_authorize', idempotencyKey: number, clinicId: 'c1', payload: { order: sampleOrder(number), option: { kind: 'invoice14' } } });
        throw new Error('the user action failed');
      }),
    ).rejects.toThrow('the user action failed');
    expect(await listJobs(t.store.db)).toHaveLength(0);
    const a = await enqueueOrder(number);
    const b = await enqueueOrder(number);
    expect(a.created).toBe(true);
    expect(b).toEqual({ id: a.id, created: false }); // same idempotency key: no second job
  });

  it('rejects a payload that fails its schema before anything is stored', async () => {
    await expect(
      t.store.db.transaction().execute((trx) => enqueueJob(trx, { kind: 'sms.send', idempotencyKey: 'x', clinicId: 'c1', payload: { to: '0701234567', body: 'hej' } })),
    ).rejects.toThrow(/E\.164/);
  });

  it.each([
    ['http5xx', { kind: 'http5xx', status: 503 }],
    ['rate_limit', { kind: 'rate_limit' }],
    ['reset', { kind: 'reset' }],
    ['hang (timeout)', { kind: 'hang', hangMs: 5000 }],
  ] as const)('retries through %s faults and then succeeds: one order, one transaction', async (_name, fault) => {
    const number = orderNumber();
    await sandbox.paynova.control.addFault({ route: '^/orders/create$', times: 2, ...fault });
    await enqueueOrder(number);
    await drain(runner(300), t.store.db);
    const job = await only();
    expect(job).toMatchObject({ status: 'succeeded', attempts: 3, lastError: null });
    const orders = (await sandbox.paynova.control.orders()).filter((o) => o.orderNumber === number);
    expect(orders).toHaveLength(1);
    expect(orders[0]!.transactions).toHaveLength(1);
  });

  it('dead-letters after max attempts with a readable last error, and a person can retry it', async () => {
    const number = orderNumber();
    await sandbox.paynova.control.addFault({ route: '^/orders/create$', kind: 'http5xx', status: 500, times: 3 });
    await enqueueOrder(number, { kind: 'invoice14' }, PATIENTS.anna, 3);
    const settled: JobOutcome[] = [];
    await drain(runner(2000, { onSettled: async (_trx, _job, o) => void settled.push(o) }), t.store.db);
    const dead = await only();
    expect(dead).toMatchObject({ status: 'dead', attempts: 3, maxAttempts: 3, nextRunAt: null });
    expect(dead.lastError).toMatch(/INTERNAL_ERROR \(-1\).*gave up after 3 attempts/);
    expect(settled.map((o) => o.type)).toEqual(['dead']);
    // The fault is used up: a person presses "retry".
    expect(await retryDeadJob(t.store.db, dead.id)).toBe(true);
    await drain(runner(), t.store.db);
    expect(await only()).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('bad credentials go straight to the dead letter with a hint, not into retries', async () => {
    const number = orderNumber();
    await keychain.secrets.set('paynova.apiPassword', 'wrong-password-for-test');
    try {
      await enqueueOrder(number);
      await drain(runner(), t.store.db);
      const job = await only();
      expect(job).toMatchObject({ status: 'dead', attempts: 1, lastErrorCode: 'paynova.auth' });
      expect(job.lastError).toContain('check the Paynova merchant id and API password');
      expect(job.lastError).not.toContain('wrong-password-for-test');
    } finally {
      await keychain.secrets.set('paynova.apiPassword', sandbox.paynova.merchant.apiPassword);
    }
  });

  it('a refused credit check fails the job with credit_check_refused and the hook sees it in the same transaction', async () => {
    const number = orderNumber();
    await sandbox.paynova.control.refuseCreditCheck(PATIENTS.refused);
    try {
      await enqueueOrder(number, { kind: 'installments', months: 24 }, PATIENTS.refused);
      await t.store.db.transaction().execute((trx) => enqueueJob(trx, { kind: 'paynova.finalize', idempotencyKey: number, clinicId: 'c1', payload: { orderNumber: number, amountOre: 345_000, invoiceId: 'D1-5' } }));
      const seen: { status: string; result: unknown }[] = [];
      await drain(runner(2000, { onSettled: async (trx, job) => void (job.kind === 'paynova.create_authorize' && seen.push({ status: job.status, result: job.result })) }), t.store.db);
      // The follow-up cannot wait forever for an order that will never be authorized.
      expect(await only('paynova.finalize')).toMatchObject({ status: 'failed', lastErrorCode: 'paynova.not_authorized' });
      const job = await only('paynova.create_authorize');
      expect(job).toMatchObject({ status: 'failed', attempts: 1, lastErrorCode: 'paynova.credit_check_refused' });
      expect(job.result).toMatchObject({ outcome: 'refused', reason: 'credit_check_refused', errorNumber: 1001 });
      expect(seen).toEqual([{ status: 'failed', result: job.result }]);
      const row = await t.store.db.selectFrom('paynova_order').selectAll().where('order_number', '=', number).executeTakeFirstOrThrow();
      expect(row.state).toBe('rejected');
    } finally {
      await sandbox.paynova.control.setCreditCheck({ governmentId: PATIENTS.refused, outcome: 'approve' });
    }
  });

  it('installments, finalize with our invoice number, partial refund, and annul run as jobs', async () => {
    const a = orderNumber();
    const b = orderNumber();
    await enqueueOrder(a, { kind: 'installments', months: 12 });
    await enqueueOrder(b);
    // Enqueued before the create has run: they wait (defer) rather than fail.
    await t.store.db.transaction().execute(async (trx) => {
      await enqueueJob(trx, { kind: 'paynova.finalize', idempotencyKey: a, clinicId: 'c1', payload: { orderNumber: a, amountOre: 345_000, invoiceId: 'D1-000100' } });
      await enqueueJob(trx, { kind: 'paynova.annul', idempotencyKey: b, clinicId: 'c1', payload: { orderNumber: b, amountOre: 345_000 } });
    });
    await drain(runner(), t.store.db);
    await t.store.db.transaction().execute((trx) =>
      enqueueJob(trx, {
        kind: 'paynova.refund',
        idempotencyKey: `${a}:credit-1`,
        clinicId: 'c1',
        payload: { orderNumber: a, amountOre: 95_000, creditLines: [{ id: '1', articleNumber: 'U101', name: 'Undersökning', quantity: 1, grossOre: 95_000, vatCode: 'exempt' }] },
      }),
    );
    await drain(runner(), t.store.db);
    const jobs = await listJobs(t.store.db);
    expect(jobs.map((j) => [j.kind, j.status]).sort()).toEqual(
      [
        ['paynova.annul', 'succeeded'],
        ['paynova.create_authorize', 'succeeded'],
        ['paynova.create_authorize', 'succeeded'],
        ['paynova.finalize', 'succeeded'],
        ['paynova.refund', 'succeeded'],
      ].sort(),
    );
    const orders = await sandbox.paynova.control.orders();
    const txA = orders.find((o) => o.orderNumber === a)!.transactions[0]!;
    expect(txA).toMatchObject({ paymentMethodProductId: 'InstallmentsTwelveMonths', state: 'finalized', invoiceId: 'D1-000100' });
    expect(txA.refunds.map((r) => r.amountOre)).toEqual([95_000]);
    expect(orders.find((o) => o.orderNumber === b)!.transactions[0]!.state).toBe('annulled');
    const states = await t.store.db.selectFrom('paynova_order').select(['order_number', 'state']).execute();
    expect(Object.fromEntries(states.map((s) => [s.order_number, s.state]))).toEqual({ [a]: 'refunded', [b]: 'annulled' });
  });

  it('a finalize whose answer was lost is not sent twice: the retry sees it already finalized', async () => {
    const number = orderNumber();
    await enqueueOrder(number);
    await drain(runner(), t.store.db);
    await sandbox.paynova.control.addFault({ route: '/finalize/', kind: 'latency', latencyMs: 700, times: 1 });
    await t.store.db.transaction().execute((trx) => enqueueJob(trx, { kind: 'paynova.finalize', idempotencyKey: number, clinicId: 'c1', payload: { orderNumber: number, amountOre: 345_000, invoiceId: 'D1-7' } }));
    await drain(runner(300), t.store.db);
    const job = (await listJobs(t.store.db, { kind: ['paynova.finalize'] }))[0]!;
    expect(job.status).toBe('succeeded');
    const tx = (await sandbox.paynova.control.orders()).find((o) => o.orderNumber === number)!.transactions[0]!;
    expect(tx).toMatchObject({ state: 'finalized', finalizedOre: 345_000, invoiceId: 'D1-7' });
  });

  it('reconciliation polls open orders at the configured interval and records what Paynova says', async () => {
    const number = orderNumber();
    await enqueueOrder(number);
    await drain(runner(), t.store.db);
    const orderId = (await sandbox.paynova.control.orders()).find((o) => o.orderNumber === number)!.orderId;
    const client = paynovaClient(sandbox, keychain.secrets);
    const txId = (await sandbox.paynova.control.order(orderId)).transactions[0]!.transactionId;
    await client.finalize(orderId, txId, 345_000, 'D1-9'); // finalized elsewhere (another desk, the console)
    const now = new Date();
    expect(await scheduleReconciliation(t.store.db, 60_000, now)).toBe(1);
    expect(await scheduleReconciliation(t.store.db, 60_000, now)).toBe(0); // same slot: nothing new
    await drain(runner(), t.store.db);
    const rec = await only('reconcile.order');
    expect(rec.result).toMatchObject({ providerStatus: 'Open', state: 'finalized', finalizedOre: 345_000 });
    const row = await t.store.db.selectFrom('paynova_order').selectAll().where('order_number', '=', number).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'finalized', provider_status: 'Open' });
    expect(row.last_checked_at).not.toBeNull();
    // Checked just now: not due again until the interval has passed.
    expect(await scheduleReconciliation(t.store.db, 60_000, new Date(now.getTime() + 1000))).toBe(0);
    expect(await scheduleReconciliation(t.store.db, 60_000, new Date(Date.now() + 61_000))).toBe(1);
  });

  it('only an unsent job can be cancelled', async () => {
    const number = orderNumber();
    const { id } = await enqueueOrder(number);
    expect(await cancelJob(t.store.db, id)).toBe(true);
    await drain(runner(), t.store.db);
    expect(await only()).toMatchObject({ status: 'cancelled', attempts: 0 });
    expect((await sandbox.paynova.control.orders()).some((o) => o.orderNumber === number)).toBe(false);
  });

  it('records every provider call outcome as an activity record, with no secret in it', async () => {
    const number = orderNumber();
    const settings = ProviderSettings.parse({ paynova: { baseUrl: sandbox.paynova.url }, twilio: { baseUrl: sandbox.twilio.url, senderId: 'Tandvard' } });
    const { runner: prod } = await createProviderRunner({ db: t.store.db, secrets: keychain.secrets, settings, chainId: 'device-1', clinicId: 'c1', backoff: { baseMs: 5, capMs: 10 } });
    await sandbox.paynova.control.addFault({ route: '^/orders/create$', kind: 'http5xx', status: 502, times: 1 });
    await enqueueOrder(number);
    await drain(prod, t.store.db);
    const rows = await t.store.db.selectFrom('activity').selectAll().orderBy('seq').execute();
    expect(rows.map((r) => [r.action, r.outcome])).toEqual([
      ['provider.paynova.create_order', 'failed'],
      ['provider.paynova.create_order', 'ok'],
      ['provider.paynova.get_order_info', 'ok'],
      ['provider.paynova.authorize_payment', 'ok'],
    ]);
    expect(JSON.parse(rows[0]!.details)).toMatchObject({ errorCode: 'paynova.internal_error', errorNumber: -1, httpStatus: 502 });
    const dump = JSON.stringify(rows);
    for (const secret of await keychain.secrets.allValues()) expect(dump).not.toContain(secret);
  });

  it('startProviderJobs recovers what a crash left in_flight and runs it in the background', async () => {
    const number = orderNumber();
    const { id } = await enqueueOrder(number);
    await t.store.db.updateTable('job').set({ status: 'in_flight', attempts: 1, in_flight_since: new Date().toISOString() }).where('id', '=', id).execute();
    const settings = ProviderSettings.parse({ paynova: { baseUrl: sandbox.paynova.url }, twilio: { baseUrl: sandbox.twilio.url, senderId: 'Tandvard' }, polling: { jobPollMs: 50 } });
    const running = await startProviderJobs({ db: t.store.db, secrets: keychain.secrets, settings, chainId: 'device-1', clinicId: 'c1' });
    try {
      expect(running.recovered).toBe(1);
      const deadline = Date.now() + 10_000;
      while ((await only()).status !== 'succeeded') {
        if (Date.now() > deadline) throw new Error('job did not finish');
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await running.stop();
    }
    expect(await only()).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect((await sandbox.paynova.control.orders()).filter((o) => o.orderNumber === number)).toHaveLength(1);
  });
});
