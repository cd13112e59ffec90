import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalStore, type LocalStore } from '../../../src-main/db/open';
import type { CreateOrderInput } from '../../../src-main/integrations/paynova/order-body';
import { PaynovaClient } from '../../../src-main/integrations/paynova/client';
import { SmsClient } from '../../../src-main/integrations/twilio/client';
import { JobRunner, type JobRunnerHooks } from '../../../src-main/jobs/runner';
import { paynovaHandlers } from '../../../src-main/jobs/paynova-handlers';
import { smsHandlers } from '../../../src-main/jobs/sms-handlers';
import { SecretStore } from '../../../src-main/secrets/secret-store';
import type { Sandbox } from '../../support/sandbox';

export interface TempDb {
  dir: string;
  file: string;
  store: LocalStore;
  cleanup(): Promise<void>;
}

export async function tempDb(): Promise<TempDb> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-int-'));
  const file = join(dir, 'desk.sqlite');
  const store = await openLocalStore(file);
  return {
    dir,
    file,
    store,
    async cleanup() {
      await store.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A keychain service of its own per test file, removed afterwards (the real Secret Service). */
export function testSecretStore(): { secrets: SecretStore; service: string; cleanup(): Promise<void> } {
  const service = `Kassa-test-${randomUUID()}`;
  const secrets = new SecretStore(service);
  return {
    secrets,
    service,
    async cleanup() {
      for (const d of await secrets.describe()) if (d.present) await secrets.delete(d.name);
    },
  };
}

export async function storeSandboxSecrets(secrets: SecretStore, sandbox: Sandbox): Promise<void> {
  await secrets.set('paynova.merchantId', sandbox.paynova.merchant.merchantId);
  await secrets.set('paynova.apiPassword', sandbox.paynova.merchant.apiPassword);
  await secrets.set('paynova.secretKey', sandbox.paynova.merchant.secretKey);
  await secrets.set('twilio.accountSid', sandbox.twilio.account.accountSid);
  await secrets.set('twilio.authToken', sandbox.twilio.account.authToken);
}

export function paynovaClient(sandbox: Sandbox, secrets: SecretStore, timeoutMs = 2000): PaynovaClient {
  return new PaynovaClient({ baseUrl: sandbox.paynova.url, timeoutMs, credentials: () => secrets.paynovaCredentials() });
}

export function smsClient(sandbox: Sandbox, secrets: SecretStore, timeoutMs = 2000): SmsClient {
  return new SmsClient({
    baseUrl: sandbox.twilio.url,
    timeoutMs,
    credentials: () => secrets.twilioCredentials(),
    senderId: 'Tandvard',
    messagingServiceSid: null,
    statusCallbackUrl: null,
  });
}

/** A runner with millisecond backoff so retries happen within a test. */
export function fastRunner(db: LocalStore['db'], paynova: PaynovaClient, sms: SmsClient, hooks?: JobRunnerHooks): JobRunner {
  return new JobRunner({ db, handlers: { ...paynovaHandlers(paynova), ...smsHandlers(sms) }, backoff: { baseMs: 5, capMs: 20 }, ...(hooks ? { hooks } : {}) });
}

/** Runs jobs until none is pending (waiting out short backoffs) or the deadline passes. */
export async function drain(runner: JobRunner, db: LocalStore['db'], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await runner.runDue();
    const pending = await db.selectFrom('job').select('id').where('status', 'in', ['pending', 'in_flight']).execute();
    if (pending.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${pending.length} job(s) still pending after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Valid personnummer (Luhn-correct) for test patients. */
export const PATIENTS = {
  anna: '198112189876',
  erik: '199001012385',
  refused: '197505051230',
};

let seq = 0;
export function orderNumber(prefix = 'K'): string {
  seq += 1;
  return `${prefix}-${Date.now().toString(36)}-${seq}-${randomUUID().slice(0, 6)}`;
}

export function sampleOrder(number: string, governmentId = PATIENTS.anna): CreateOrderInput {
  return {
    orderNumber: number,
    description: 'Tandvård',
    customer: { governmentId, firstName: 'Anna', lastName: 'Andersson', email: 'anna@example.se', mobile: '+46701234567' },
    billTo: { street1: 'Storgatan 1', city: 'Stockholm', postalCode: '114 51', countryCode: 'SE' },
    lines: [
      { id: '1', articleNumber: 'U101', name: 'Undersökning', quantity: 1, grossOre: 95_000, vatCode: 'exempt' },
      { id: '2', articleNumber: 'B201', name: 'Blekning', quantity: 2, grossOre: 250_000, vatCode: 'se25' },
    ],
  };
}
