import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listJobs } from '../../../src-main/jobs/queue';
import { openLocalStore } from '../../../src-main/db/open';
import { startTestSandbox, type Sandbox } from '../../support/sandbox';
import { orderNumber, storeSandboxSecrets, tempDb, testSecretStore, type TempDb } from './helpers';

const FIXTURE = fileURLToPath(new URL('./fixtures/job-child.ts', import.meta.url));

let sandbox: Sandbox;
let keychain: ReturnType<typeof testSecretStore>;
let t: TempDb;
const children: ChildProcess[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox();
  keychain = testSecretStore();
  await storeSandboxSecrets(keychain.secrets, sandbox);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await keychain?.cleanup();
  await sandbox?.close();
});
beforeEach(async () => {
  t = await tempDb();
  // The child opens the file itself; the parent only reads it between runs.
  await t.store.close();
  await sandbox.paynova.control.clearFaults();
  await sandbox.twilio.control.clearFaults();
});
afterEach(async () => {
  await t.cleanup();
});

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** One desk process: `node --import tsx` so the pid we SIGKILL is the process that holds the request. */
function runChild(vars: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: {
      ...process.env,
      DB_FILE: t.file,
      PAYNOVA_URL: sandbox.paynova.url,
      TWILIO_URL: sandbox.twilio.url,
      KEYCHAIN_SERVICE: keychain.service,
      ...vars,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => out, exited };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function jobsInFile() {
  const store = await openLocalStore(t.file);
  try {
    return await listJobs(store.db);
  } finally {
    await store.close();
  }
}

async function ordersNamed(number: string) {
  return (await sandbox.paynova.control.orders()).filter((o) => o.orderNumber === number);
}

// Each case starts two Node processes (cold tsx transform): generous limits for a loaded CI box.
describe('crash safety: a desk killed mid-request never registers an order or sends an SMS twice', { timeout: 120_000 }, () => {
  it('SIGKILL while Paynova holds the create response → restart creates exactly one order', async () => {
    const number = orderNumber('CR');
    await sandbox.paynova.control.addFault({ route: '^/orders/create$', method: 'POST', kind: 'latency', latencyMs: 10_000, times: 1 });
    const first = runChild({ MODE: 'enqueue', JOB_KINDS: 'order', ORDER_NUMBER: number });
    // Kill the moment the simulator has seen the request (its answer is being held).
    await until('the create request', async () => (await sandbox.paynova.control.requests({ path: '^/orders/create$' })).some((r) => (r.body as { orderNumber?: string } | undefined)?.orderNumber === number || r.fault === 'latency'));
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    // in_flight was committed before the request left.
    const [interrupted] = await jobsInFile();
    expect(interrupted).toMatchObject({ kind: 'paynova.create_authorize', status: 'in_flight', attempts: 1 });

    const second = runChild({ MODE: 'resume' });
    expect((await second.exited).code).toBe(0);
    expect(second.output()).toContain('recovered 1');
    const [job] = await jobsInFile();
    expect(job).toMatchObject({ status: 'succeeded', attempts: 2 });
    const orders = await ordersNamed(number);
    expect(orders).toHaveLength(1);
    expect(orders[0]!.transactions).toHaveLength(1);
  });

  it('SIGKILL while Twilio holds the send response → restart checks the list and sends exactly one SMS', async () => {
    const number = orderNumber('CS');
    const to = '+46709990001';
    await sandbox.twilio.control.addFault({ route: 'Messages\\.json$', method: 'POST', kind: 'latency', latencyMs: 10_000, times: 1 });
    const first = runChild({ MODE: 'enqueue', JOB_KINDS: 'sms', ORDER_NUMBER: number, SMS_TO: to });
    await until('the SMS request', async () => (await sandbox.twilio.control.requests({ path: 'Messages\\.json$', method: 'POST' })).some((r) => r.fault === 'latency'));
    first.child.kill('SIGKILL');
    await first.exited;
    expect((await jobsInFile())[0]).toMatchObject({ kind: 'sms.send', status: 'in_flight' });

    const second = runChild({ MODE: 'resume' });
    expect((await second.exited).code).toBe(0);
    expect(second.output()).toMatch(/call listMessages ok[\s\S]*call sendMessage ok/);
    expect((await jobsInFile())[0]).toMatchObject({ status: 'succeeded' });
    expect(await sandbox.twilio.control.messages(to)).toHaveLength(1);
  });

  it.each([
    ['createOrder', 'the order was created but its orderId never committed'],
    ['authorizePayment', 'the invoice was authorized but the transaction id never committed'],
  ])('crash right after Paynova answered %s (%s) → one order, one transaction', async (operation) => {
    const number = orderNumber('CA');
    const first = runChild({ MODE: 'enqueue', JOB_KINDS: 'order', ORDER_NUMBER: number, CRASH_AFTER: operation });
    expect((await first.exited).signal).toBe('SIGKILL');
    expect((await jobsInFile())[0]).toMatchObject({ status: 'in_flight' });
    const second = runChild({ MODE: 'resume' });
    expect((await second.exited).code).toBe(0);
    expect((await jobsInFile())[0]).toMatchObject({ status: 'succeeded' });
    const orders = await ordersNamed(number);
    expect(orders).toHaveLength(1);
    expect(orders[0]!.transactions).toHaveLength(1);
    if (operation === 'createOrder') expect(orders[0]!.createRequests).toBe(2); // retried with the same orderNumber
    if (operation === 'authorizePayment') {
      const authorizes = await sandbox.paynova.control.requests({ path: `^/orders/${orders[0]!.orderId}/authorizePayment$` });
      expect(authorizes).toHaveLength(1); // the restart looked at the order instead of authorizing again
    }
  });

  it('crash right after Twilio accepted the SMS → the restart finds it and does not send again', async () => {
    const number = orderNumber('CT');
    const to = '+46709990002';
    const first = runChild({ MODE: 'enqueue', JOB_KINDS: 'order,sms', ORDER_NUMBER: number, SMS_TO: to, CRASH_AFTER: 'sendMessage' });
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(await sandbox.twilio.control.messages(to)).toHaveLength(1);
    const second = runChild({ MODE: 'resume' });
    expect((await second.exited).code).toBe(0);
    const jobs = await jobsInFile();
    const smsJob = jobs.find((j) => j.kind === 'sms.send')!;
    expect(smsJob).toMatchObject({ status: 'succeeded' });
    expect(smsJob.result).toMatchObject({ recoveredAfterRetry: true });
    expect(await sandbox.twilio.control.messages(to)).toHaveLength(1);
    expect(await ordersNamed(number)).toHaveLength(1);
  });
});
