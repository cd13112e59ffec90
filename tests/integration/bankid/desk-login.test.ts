import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDesktopCore, type DesktopCore } from '../../../src-main/core/desktop-core';
import type { ClientState } from '../../../src-main/core/dispatch';
import { RFA } from '../../../src-main/integrations/bankid';
import type { BankIdSimulator, SimOrderView } from '../../../src-sandbox/bankid';
import { BankIdProgress, type CallName, type CallResult } from '../../../src-shared/api';
import { World, personnummer } from '../accounts/support';
import { enrolmentCode } from '../sync/support/harness';
import { startSim } from './support';

/**
 * The desk's BankID login through its contract calls: the real desktop core (SQLite, keychain),
 * the real sync server and the BankID simulator over mutual TLS. The test plays the renderer (it
 * only has the contract) and the person with the BankID app (the simulator's control API).
 */

let sim: BankIdSimulator;
let w: World;
let core: DesktopCore;
let dataDir: string;
let clinicId: string;
const PN = personnummer();
/** Everything a "renderer" received, to prove no orderRef or qrStartSecret ever reached it. */
const seen: string[] = [];

async function call(client: ClientState, name: CallName, input: unknown = {}): Promise<CallResult<unknown>> {
  const r = await core.invoke(client, name, input);
  seen.push(JSON.stringify(r));
  return r;
}

async function value<T>(client: ClientState, name: CallName, input: unknown = {}): Promise<T> {
  const r = await call(client, name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

const progress = (client: ClientState) => value<BankIdProgress | null>(client, 'auth.bankidProgress');

async function until<T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await probe();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never: ${what}`);
}

/** The order the desk's flow created at BankID (the newest pending one). */
const pendingOrder = () => until('an order at BankID', async () => (await sim.control.orders()).find((o) => o.status === 'pending'), (o): o is SimOrderView => o !== undefined) as Promise<SimOrderView>;

/** The desk's own activity chain, newest first: who could not log in is nobody's to read in the UI yet. */
function lastLoginRecord() {
  const row = core.deps.store.sqlite.prepare(`SELECT outcome, actor_user_id, subject, details FROM activity WHERE action = 'auth.login' ORDER BY seq DESC LIMIT 1`).get() as
    | { outcome: string; actor_user_id: string | null; subject: string | null; details: string }
    | undefined;
  return row ? { ...row, details: JSON.parse(row.details) as Record<string, unknown> } : null;
}

const ended = (client: ClientState) => until('the flow ends', () => progress(client), (p) => p !== null && !['pending', 'logging_in'].includes(p.status)) as Promise<BankIdProgress>;

beforeAll(async () => {
  sim = await startSim();
  w = await World.start('sqlite');
  const sys = await w.consoleToken();
  clinicId = (await w.clinic('BankID-kliniken')).clinicId;
  await w.createUser(sys, { clinicId, username: 'frida.f', displayName: 'Frida Fransson', role: 'staff', personnummer: PN });
  dataDir = mkdtempSync(join(tmpdir(), 'kassa-bankid-desk-'));
  core = await createDesktopCore({
    dataDir,
    syncServerUrl: w.url,
    enrolment: { code: await enrolmentCode(w.url, clinicId), deviceName: 'Reception BankID' },
    invoiceSeries: { prefix: 'B', ocrCode: 7 },
    keychainService: `kassa-test-bankid-${randomUUID()}`,
    pollMs: 100,
    log: () => undefined,
  });
  // As `npm start` and the e2e stack do it: certificate and passphrase in the keychain, URL and CA in the settings.
  await core.deps.secrets.set('bankid.p12', sim.clientPfx.toString('base64'));
  await core.deps.secrets.set('bankid.passphrase', sim.passphrase);
  const r = core.deps.settings.update({ bankid: { baseUrl: sim.url, caPem: sim.ca } });
  if (!r.ok) throw new Error(r.error.message);
}, 60_000);

afterAll(async () => {
  await core?.deps.secrets.delete('bankid.p12').catch(() => false);
  await core?.deps.secrets.delete('bankid.passphrase').catch(() => false);
  await core?.deps.secrets.delete('device.credential').catch(() => false);
  await core?.close();
  await w?.close().catch(() => undefined);
  await sim?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

afterEach(async () => {
  // A cancelled flow's /cancel (BankID forgets the order) must land before the next test starts.
  await until('no order left pending', () => sim.control.orders(), (orders) => orders.every((o) => o.status !== 'pending'));
  await sim.control.reset();
});

describe('desk BankID login through the contract', () => {
  it('logs in the user who has the personnummer on file, with the same session a password login gives', async () => {
    const client = core.newClient('test');
    const started = await value<BankIdProgress>(client, 'auth.bankidStart', { sameDevice: false, language: 'sv' });
    expect(started.status).toBe('pending');
    const order = await pendingOrder();
    const pending = await until('the QR', () => progress(client), (p) => p?.qrText != null);
    expect(pending).toMatchObject({ status: 'pending', sameDevice: false, session: null, error: null, rfa: RFA.RFA1.rfa, message: RFA.RFA1.sv });
    // The QR the renderer draws is the real animated code: the BankID app accepts it.
    expect(await sim.control.scanQr(pending!.qrText!)).toMatchObject({ ok: true, orderRef: order.orderRef });
    expect(pending!.autoStartUrl).toBe(`bankid:///?autostarttoken=${order.autoStartToken}&redirect=null`);

    // The person opens the app: the hint changes, in the UI language.
    await sim.control.setHint({ hintCode: 'userSign' });
    await until('the userSign hint', () => progress(client), (p) => p?.rfa === RFA.RFA9.rfa);

    await sim.control.complete({ personalNumber: PN, givenName: 'Frida', surname: 'Fransson' });
    const done = await ended(client);
    expect(done.status).toBe('logged_in');
    expect(done.session).toMatchObject({ method: 'bankid', offline: false, user: { username: 'frida.f', displayName: 'Frida Fransson', role: 'staff', clinicId } });
    expect(await value(client, 'auth.session')).toEqual(done.session);
    // A real session: calls that need one now work.
    expect((await call(client, 'sync.status')).ok).toBe(true);

    const activity = await value<{ items: { action: string; outcome: string; details: Record<string, unknown> }[] }>(client, 'activity.list', { action: 'auth.login' });
    expect(activity.items).toContainEqual(expect.objectContaining({ action: 'auth.login', outcome: 'ok', details: expect.objectContaining({ method: 'bankid' }) }));

    // Nothing the renderer received holds the orderRef or the QR secret.
    for (const out of seen) {
      expect(out).not.toContain(order.orderRef);
      expect(out).not.toContain(order.qrStartSecret);
    }
    await value(client, 'auth.logout');
    // The next person at the desk does not inherit the finished BankID login.
    expect(await progress(client)).toBeNull();
    expect(await value(client, 'auth.session')).toBeNull();
  });

  it('cancels at BankID when the person presses Cancel, and records the attempt', async () => {
    const client = core.newClient('test');
    await value(client, 'auth.bankidStart', { sameDevice: true, language: 'en' });
    const order = await pendingOrder();
    const pending = await until('the same-device hint', () => progress(client), (p) => p?.qrText != null);
    expect(pending).toMatchObject({ sameDevice: true, rfa: RFA.RFA13.rfa, message: RFA.RFA13.en });
    await value(client, 'auth.bankidCancel');
    const done = await ended(client);
    expect(done).toMatchObject({ status: 'cancelled', session: null, qrText: null, message: RFA.RFA6.en });
    // Cancelled at BankID: the order is gone there.
    await until('BankID cancelled the order', async () => (await sim.control.orders()).some((o) => o.orderRef === order.orderRef), (known) => !known);
    expect(await value(client, 'auth.session')).toBeNull();
  });

  it.each([
    ['nobody scanned in time', (ref: string) => sim.control.expire({ orderRef: ref }), 'expiredTransaction', RFA.RFA8],
    ['the app could not start', (ref: string) => sim.control.fail({ orderRef: ref, hintCode: 'startFailed' }), 'startFailed', RFA.RFA17B],
    ['the person cancelled in the app', (ref: string) => sim.control.userCancel({ orderRef: ref }), 'userCancel', RFA.RFA6],
  ])('ends with BankID’s words when %s', async (_why, act, hintCode, rfa) => {
    const client = core.newClient('test');
    await value(client, 'auth.bankidStart', {});
    await act((await pendingOrder()).orderRef);
    const done = await ended(client);
    expect(done).toMatchObject({ status: 'failed', hintCode, rfa: rfa.rfa, message: rfa.sv, session: null, qrText: null });
    expect(await value(client, 'auth.session')).toBeNull();
    expect(lastLoginRecord()).toMatchObject({ outcome: 'failed', actor_user_id: null, subject: null, details: { method: 'bankid', why: hintCode } });
  });

  it('refuses with the server’s reason when nobody at the clinic has the personnummer', async () => {
    const client = core.newClient('test');
    await value(client, 'auth.bankidStart', {});
    await sim.control.complete({ orderRef: (await pendingOrder()).orderRef, personalNumber: personnummer() });
    const done = await ended(client);
    expect(done).toMatchObject({ status: 'refused', session: null, error: { code: 'no_user_for_personnummer' } });
    expect(done.error?.message).toMatch(/personal identity number/);
    expect(await value(client, 'auth.session')).toBeNull();
    expect(lastLoginRecord()).toMatchObject({ outcome: 'refused', details: { method: 'bankid', why: 'no_user_for_personnummer' } });
  });

  it('refuses a disabled user, though BankID proved who it is', async () => {
    const pn = personnummer();
    const sys = await w.consoleToken();
    const id = await w.createUser(sys, { clinicId, username: 'gustav.g', displayName: 'Gustav G', role: 'staff', personnummer: pn });
    expect((await w.con(sys, 'PATCH', `/users/${id}`, { active: false })).status).toBe(200);
    const client = core.newClient('test');
    await value(client, 'auth.bankidStart', {});
    await sim.control.complete({ orderRef: (await pendingOrder()).orderRef, personalNumber: pn });
    const done = await ended(client);
    // Not "wrong username, password or PIN": there was none.
    expect(done).toMatchObject({ status: 'refused', session: null, error: { code: 'bankid_account_refused' } });
    expect(await value(client, 'auth.session')).toBeNull();
  });

  it('a new start cancels the flow that was running', async () => {
    const a = core.newClient('test');
    const b = core.newClient('test');
    await value(a, 'auth.bankidStart', {});
    const first = await pendingOrder();
    await value(b, 'auth.bankidStart', {});
    await until('the first order is cancelled', async () => (await sim.control.orders()).some((o) => o.orderRef === first.orderRef), (known) => !known);
    // Only the window that started a flow sees it.
    expect(await progress(a)).toBeNull();
    expect((await progress(b))?.status).toBe('pending');
    await value(b, 'auth.bankidCancel');
    await ended(b);
  });

  it('says BankID needs the server when the server goes away, and then before any order is made', async () => {
    const client = core.newClient('test');
    await value(client, 'auth.bankidStart', {});
    const order = await pendingOrder();
    await w.server.close();
    await sim.control.complete({ orderRef: order.orderRef, personalNumber: PN });
    expect(await ended(client)).toMatchObject({ status: 'refused', session: null, error: { code: 'bankid_needs_server' } });
    await sim.control.reset();

    const r = await call(client, 'auth.bankidStart', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'bankid_needs_server' } });
    if (!r.ok) expect(r.error.message).toMatch(/needs the sync server/);
    expect(await sim.control.orders()).toHaveLength(0);
  });
});
