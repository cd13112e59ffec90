import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import keytar from 'keytar';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProviderRunner } from '../../../src-main/jobs/provider-runner';
import { enqueueJob, listJobs } from '../../../src-main/jobs/queue';
import { SettingsStore } from '../../../src-main/secrets/settings-store';
import { renderSms } from '../../../src-main/integrations/twilio/templates';
import { startTestSandbox, type Sandbox } from '../../support/sandbox';
import { drain, orderNumber, sampleOrder, storeSandboxSecrets, tempDb, testSecretStore, type TempDb } from './helpers';

let sandbox: Sandbox;
let keychain: ReturnType<typeof testSecretStore>;
let t: TempDb;

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(async () => {
  keychain = testSecretStore();
  t = await tempDb();
});
afterEach(async () => {
  await keychain.cleanup();
  await t.cleanup();
});

describe('SecretStore on the real OS keychain', () => {
  it('stores under service "Kassa"-style entries that keytar itself can read back', async () => {
    await keychain.secrets.set('twilio.authToken', 'tok-1234567890-abcd');
    // Straight from the Secret Service, not from our wrapper: it really is in the keychain.
    expect(await keytar.getPassword(keychain.service, 'twilio.authToken')).toBe('tok-1234567890-abcd');
    expect(await keychain.secrets.get('paynova.secretKey')).toBeNull();
    await expect(keychain.secrets.require('paynova.secretKey')).rejects.toThrow('paynova.secretKey is not set up');
    expect(await keychain.secrets.delete('twilio.authToken')).toBe(true);
    expect(await keytar.getPassword(keychain.service, 'twilio.authToken')).toBeNull();
  });

  it('describe() gives presence and last four only, never a value', async () => {
    await keychain.secrets.set('paynova.apiPassword', 'very-long-api-password-WXYZ');
    await keychain.secrets.set('paynova.merchantId', '10000001');
    await keychain.secrets.set('bankid.passphrase', 'p12-passphrase-long-enough');
    const d = await keychain.secrets.describe();
    const by = Object.fromEntries(d.map((x) => [x.name, x]));
    expect(by['paynova.apiPassword']).toEqual({ name: 'paynova.apiPassword', present: true, last4: 'WXYZ' });
    expect(by['paynova.merchantId']).toEqual({ name: 'paynova.merchantId', present: true, last4: null }); // too short to hint
    expect(by['bankid.passphrase']).toEqual({ name: 'bankid.passphrase', present: true, last4: null });
    expect(by['twilio.authToken']).toEqual({ name: 'twilio.authToken', present: false, last4: null });
    const text = JSON.stringify(d);
    expect(text).not.toContain('very-long-api-password');
    expect(text).not.toContain('10000001');
  });

  it('refuses names outside the known list', async () => {
    // @ts-expect-error: not a SecretName
    await expect(keychain.secrets.set('paynova.somethingElse', 'x')).rejects.toThrow();
  });
});

describe('SettingsStore (conf, electron-store file shape)', () => {
  it('validates, writes config.json under the given cwd, and reads it back', () => {
    const s = new SettingsStore({ cwd: t.dir });
    const r = s.update({ language: 'en', paynova: { baseUrl: 'https://testapi.paynova.com' }, twilio: { senderId: 'Tandvard' }, polling: { reconcileIntervalMs: 60_000 } });
    expect(r.ok).toBe(true);
    expect(s.path).toBe(join(t.dir, 'config.json'));
    const onDisk = JSON.parse(readFileSync(s.path, 'utf8'));
    expect(onDisk.providers).toMatchObject({ language: 'en', twilio: { senderId: 'Tandvard' }, polling: { reconcileIntervalMs: 60_000 } });
    const again = new SettingsStore({ cwd: t.dir }).read();
    expect(again.ok && again.value.paynova.timeoutMs).toBe(20_000); // defaults filled in
    expect(again.ok && again.value.geoplugin).toMatchObject({ timeoutMs: 1500, perMinute: 60 });
  });

  it.each([
    [{ paynova: { apiPassword: 'hunter2-hunter2' } }, 'paynova.apiPassword'],
    [{ twilio: { senderId: '0123456789abcdef0123456789abcdef' } }, 'twilio.senderId'],
    [{ paynova: { baseUrl: 'https://10000001:secret@testapi.paynova.com' } }, 'paynova.baseUrl'],
    [{ geoplugin: { authToken: 'x' } }, 'geoplugin.authToken'],
  ])('refuses to store anything that looks like a secret: %j', (patch, field) => {
    const s = new SettingsStore({ cwd: t.dir });
    const r = s.update(patch as never);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'settings.looks_like_secret', field });
    expect(existsSync(s.path) ? readFileSync(s.path, 'utf8') : '').not.toMatch(/hunter2|secret@|0123456789abcdef/);
  });

  it('flags a hand-edited file that holds a secret instead of using it', () => {
    writeFileSync(join(t.dir, 'config.json'), JSON.stringify({ providers: { twilio: { authToken: 'abc' } } }));
    const r = new SettingsStore({ cwd: t.dir }).read();
    expect(!r.ok && r.error.code).toBe('settings.looks_like_secret');
  });

  it('validates SMS template overrides: unknown or missing placeholders are refused with the field', () => {
    const s = new SettingsStore({ cwd: t.dir });
    const bad = s.update({ sms: { templates: { invoice_issued: { sv: 'Hej! Du fick {treatment} för {amount}' } } } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.field).toBe('sms.templates.invoice_issued.sv');
      expect(bad.error.message).toMatch(/unknown placeholder \{treatment\}/);
      expect(bad.error.message).toMatch(/missing required placeholder \{ocr\}/);
    }
    const good = s.update({ sms: { templates: { payment_received: { sv: 'Tack för betalningen på {amount}! /{clinic}' } } } });
    expect(good.ok).toBe(true);
    if (!good.ok) return;
    const text = renderSms('payment_received', 'sv', { clinic: 'Tandläkarna', amount: 12_345, ocr: '12345682' }, good.value.sms.templates);
    expect(text.ok && text.value).toMatch(/^Tack för betalningen på 123,45\skr! \/Tandläkarna$/u);
  });
});

describe('secrets never land in SQLite, the settings file, activity records or logs', () => {
  it('a full provider flow with real keychain credentials leaves no secret value anywhere on disk', async () => {
    await storeSandboxSecrets(keychain.secrets, sandbox);
    await keychain.secrets.set('device.credential', 'device-cred-5f1e2d3c4b5a69788796a5b4c3d2e1f0');
    const settings = new SettingsStore({ cwd: t.dir });
    const saved = settings.update({ paynova: { baseUrl: sandbox.paynova.url }, twilio: { baseUrl: sandbox.twilio.url, senderId: 'Tandvard' } });
    expect(saved.ok).toBe(true);
    if (!saved.ok) return;

    const logged: string[] = [];
    const original = { log: console.log, error: console.error, warn: console.warn, info: console.info, debug: console.debug, out: process.stdout.write, err: process.stderr.write };
    const capture = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
    console.log = console.error = console.warn = console.info = console.debug = capture;
    process.stdout.write = ((chunk: unknown) => (logged.push(String(chunk)), true)) as typeof process.stdout.write;
    process.stderr.write = ((chunk: unknown) => (logged.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      const { runner } = await createProviderRunner({ db: t.store.db, secrets: keychain.secrets, settings: saved.value, chainId: 'device-1', clinicId: 'c1', backoff: { baseMs: 5, capMs: 10 } });
      await sandbox.paynova.control.addFault({ route: '^/orders/create$', kind: 'http5xx', times: 1 });
      const number = orderNumber();
      await t.store.db.transaction().execute(async (trx) => {
        await enqueueJob(trx, { kind: 'paynova.create_authorize', idempotencyKey: number, clinicId: 'c1', payload: { order: sampleOrder(number), option: { kind: 'invoice14' } } });
        await enqueueJob(trx, { kind: 'sms.send', idempotencyKey: `${number}:sms`, clinicId: 'c1', payload: { to: '+46701110000', body: 'Tandläkarna: din faktura är skickad.' } });
      });
      await drain(runner, t.store.db);
      // And a dead letter whose error mentions the credentials problem.
      await keychain.secrets.set('twilio.authToken', 'f00dbabef00dbabef00dbabef00dbabe');
      await t.store.db.transaction().execute((trx) => enqueueJob(trx, { kind: 'sms.send', idempotencyKey: `${number}:sms2`, clinicId: 'c1', payload: { to: '+46701110000', body: 'Tandläkarna: påminnelse.' } }));
      const { runner: runner2 } = await createProviderRunner({ db: t.store.db, secrets: keychain.secrets, settings: saved.value, chainId: 'device-1', clinicId: 'c1', backoff: { baseMs: 5, capMs: 10 } });
      await drain(runner2, t.store.db);
    } finally {
      Object.assign(console, { log: original.log, error: original.error, warn: original.warn, info: original.info, debug: original.debug });
      process.stdout.write = original.out;
      process.stderr.write = original.err;
    }
    const jobs = await listJobs(t.store.db);
    expect(jobs.map((j) => j.status).sort()).toEqual(['dead', 'succeeded', 'succeeded']);
    const activity = await t.store.db.selectFrom('activity').selectAll().execute();
    expect(activity.length).toBeGreaterThanOrEqual(4);
    await t.store.close();

    const secrets = [...(await keychain.secrets.allValues()), sandbox.twilio.account.authToken, sandbox.paynova.merchant.apiPassword];
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    const files = readdirSync(t.dir).map((f) => join(t.dir, f));
    expect(files.some((f) => f.endsWith('.sqlite'))).toBe(true);
    expect(files.some((f) => f.endsWith('config.json'))).toBe(true);
    const haystacks = [...files.map((f) => ({ where: f, bytes: readFileSync(f) })), { where: 'logs', bytes: Buffer.from(logged.join('\n')) }, { where: 'activity', bytes: Buffer.from(JSON.stringify(activity)) }, { where: 'jobs', bytes: Buffer.from(JSON.stringify(jobs)) }];
    for (const secret of secrets) {
      for (const h of haystacks) {
        expect(h.bytes.includes(Buffer.from(secret, 'utf8')), `${secret.slice(0, 3)}… found in ${h.where}`).toBe(false);
      }
    }
    // Sanity: the search does find things that are there.
    expect(haystacks.some((h) => h.bytes.includes(Buffer.from('provider.paynova.create_order')))).toBe(true);
  });
});
