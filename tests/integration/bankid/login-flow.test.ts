import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RFA, startBankIdLogin, type BankIdClient, type BankIdLoginOptions } from '../../../src-main/integrations/bankid';
import type { BankIdSimulator, SimOrderView } from '../../../src-sandbox/bankid';
import { BankIdFlowUpdate, FAILED_HINT_CODES } from '../../../src-shared/schemas/bankid';
import { clientFor, startSim } from './support';

const PNO = '198112289874';

let sim: BankIdSimulator;
let client: BankIdClient;

beforeAll(async () => {
  sim = await startSim();
  client = clientFor(sim);
});
afterAll(async () => {
  client?.close();
  await sim?.close();
});
afterEach(async () => {
  await sim.control.reset();
});

/** Starts a flow with fast collects and records every update it sends toward the renderer. */
function login(extra: Partial<BankIdLoginOptions> = {}) {
  const updates: BankIdFlowUpdate[] = [];
  const flow = startBankIdLogin({ client, endUserIp: '192.0.2.10', collectIntervalMs: 50, onUpdate: (u) => updates.push(u), ...extra });
  return { flow, updates };
}

/** Resolves once the simulator has the flow's order (the flow's /auth has been answered). */
async function orderOf(): Promise<SimOrderView> {
  for (;;) {
    const [order] = await sim.control.orders();
    if (order) return order;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}

describe('BankID login flow against the simulator', () => {
  it('completes with the personnummer and name BankID returns', async () => {
    const { flow, updates } = login();
    const order = await orderOf();
    await sim.control.complete({ orderRef: order.orderRef, personalNumber: PNO, givenName: 'Karin', surname: 'Lind' });
    const result = await flow.result;
    expect(result).toMatchObject({ status: 'complete', personalNumber: PNO, name: 'Karin Lind', givenName: 'Karin', surname: 'Lind' });
    const final = updates.at(-1);
    expect(final).toMatchObject({ status: 'complete', qrText: null, message: 'Identifieringen är klar.' });
    // Every update is a valid renderer-facing shape (strict: no extra fields slipped in).
    for (const u of updates) expect(BankIdFlowUpdate.safeParse(u).success).toBe(true);
  });

  it.each(FAILED_HINT_CODES)('ends failed with a user message for hint %s', async (hintCode) => {
    const { flow, updates } = login();
    const order = await orderOf();
    await sim.control.fail({ orderRef: order.orderRef, hintCode });
    const result = await flow.result;
    expect(result).toMatchObject({ status: 'failed', hintCode, source: 'collect' });
    if (result.status !== 'failed') return;
    expect(result.message.length).toBeGreaterThan(5);
    expect(result.message).not.toBe(RFA.RFA22.sv);
    expect(updates.at(-1)).toMatchObject({ status: 'failed', hintCode, message: result.message, qrText: null });
  });

  it('maps the documented failures to their RFA texts', async () => {
    const expected = { userCancel: RFA.RFA6, cancelled: RFA.RFA3, expiredTransaction: RFA.RFA8, certificateErr: RFA.RFA16, startFailed: RFA.RFA17B };
    for (const [hintCode, rfa] of Object.entries(expected)) {
      const { flow } = login();
      await sim.control.fail({ orderRef: (await orderOf()).orderRef, hintCode });
      expect(await flow.result).toMatchObject({ status: 'failed', hintCode, rfa: rfa.rfa, message: rfa.sv });
      await sim.control.reset();
    }
  });

  it('an unknown failed hint becomes the generic message but keeps the raw code', async () => {
    const { flow } = login({ language: 'en' });
    await sim.control.fail({ orderRef: (await orderOf()).orderRef, hintCode: 'somethingNew' });
    expect(await flow.result).toMatchObject({ status: 'failed', hintCode: 'somethingNew', rfa: 'RFA22', message: 'Unknown error. Please try again.' });
  });

  it('the user cancelling in the app ends with RFA6 "Åtgärden avbruten."', async () => {
    const { flow } = login();
    await sim.control.userCancel({});
    await orderOf();
    expect(await flow.result).toMatchObject({ status: 'failed', hintCode: 'userCancel', message: 'Åtgärden avbruten.' });
  });

  it('an order nobody scans expires (expiredTransaction, RFA8)', async () => {
    await sim.control.configure({ unscannedTimeoutMs: 600 });
    const { flow } = login();
    const result = await flow.result;
    expect(result).toMatchObject({ status: 'failed', hintCode: 'expiredTransaction', rfa: 'RFA8' });
    if (result.status === 'failed') expect(result.message).toMatch(/^BankID-appen svarar inte/);
  });

  it('shows pending hints as they change (userSign → RFA9)', async () => {
    const { flow, updates } = login();
    const order = await orderOf();
    await until(() => updates.some((u) => u.hintCode === 'outstandingTransaction'));
    expect(updates[0]).toMatchObject({ status: 'pending', rfa: 'RFA1', message: 'Starta BankID-appen.' });
    await sim.control.setHint({ orderRef: order.orderRef, hintCode: 'userSign' });
    await until(() => updates.some((u) => u.hintCode === 'userSign'));
    expect(updates.find((u) => u.hintCode === 'userSign')).toMatchObject({ rfa: 'RFA9', message: expect.stringContaining('säkerhetskod') });
    flow.cancel();
    await flow.result;
  });

  it('cancel() cancels the order at BankID and ends as aborted', async () => {
    const { flow, updates } = login();
    await orderOf();
    await until(() => updates.length > 0 && updates[0]?.qrText !== null);
    flow.cancel();
    expect(await flow.result).toMatchObject({ status: 'failed', hintCode: 'cancelled', source: 'aborted', message: 'Åtgärden avbruten.' });
    // The cancel call is fire-and-forget in the flow; wait for it to land.
    while ((await sim.control.orders()).length > 0) await new Promise((r) => setTimeout(r, 20));
    expect(await sim.control.orders()).toHaveLength(0);
  });

  it('an AbortSignal aborts the flow the same way', async () => {
    const abort = new AbortController();
    const { flow } = login({ signal: abort.signal });
    await orderOf();
    abort.abort();
    expect(await flow.result).toMatchObject({ status: 'failed', source: 'aborted' });
  });

  it('aborting while /auth is still in flight cancels the order once it exists', async () => {
    await sim.control.addFault({ endpoint: 'auth', latencyMs: 300, times: 1 });
    const { flow } = login();
    flow.cancel();
    expect(await flow.result).toMatchObject({ status: 'failed', source: 'aborted' });
    while ((await sim.control.state()).calls.cancel < 1) await new Promise((r) => setTimeout(r, 20));
    const state = await sim.control.state();
    expect(state.calls.auth).toBe(1);
    expect(state.orders).toHaveLength(0);
  });

  it('an order bound to a personal number cannot be completed by someone else', async () => {
    const { flow } = login({ personalNumber: PNO });
    const order = await orderOf();
    await expect(sim.control.complete({ orderRef: order.orderRef, personalNumber: '190101019801' })).rejects.toThrow(/409/);
    await sim.control.complete({ orderRef: order.orderRef, personalNumber: PNO });
    expect(await flow.result).toMatchObject({ status: 'complete', personalNumber: PNO });
  });

  it('alreadyInProgress at /auth ends with RFA4', async () => {
    const first = login({ personalNumber: PNO });
    await orderOf();
    const second = login({ personalNumber: PNO });
    expect(await second.flow.result).toMatchObject({ status: 'failed', hintCode: 'alreadyInProgress', rfa: 'RFA4', source: 'api' });
    expect(await first.flow.result).toMatchObject({ status: 'failed', hintCode: 'cancelled', rfa: 'RFA3' });
  });

  it('BankID in maintenance at /auth ends with RFA5', async () => {
    await sim.control.addFault({ endpoint: 'auth', status: 503 });
    const { flow } = login();
    expect(await flow.result).toMatchObject({ status: 'failed', hintCode: 'maintenance', rfa: 'RFA5', source: 'api' });
  });

  it('keeps polling through a passing collect error and still completes', async () => {
    await sim.control.addFault({ endpoint: 'collect', status: 503, times: 2 });
    const { flow } = login();
    const order = await orderOf();
    // Both injected 503s have been answered, and the flow is still polling.
    while ((await sim.control.state()).faults[0]?.injected !== 2) await new Promise((r) => setTimeout(r, 20));
    await sim.control.complete({ orderRef: order.orderRef, personalNumber: PNO });
    expect(await flow.result).toMatchObject({ status: 'complete', personalNumber: PNO });
  });

  it('a malformed collect answer fails the login clearly instead of being trusted', async () => {
    await sim.control.addFault({ endpoint: 'collect', malformed: true });
    const { flow } = login();
    const result = await flow.result;
    expect(result).toMatchObject({ status: 'failed', source: 'api', hintCode: 'bankid.malformed_response' });
    if (result.status === 'failed') expect(result.error?.message).toMatch(/completionData\.user\.personalNumber/);
  });

  it('the QR text changes every second and verifies at the simulator; qrTime counts up', async () => {
    // Scans happen after the fact here, so let the simulator accept older (still correctly signed) codes.
    await sim.control.configure({ qrMaxAgeSeconds: 60 });
    const { flow, updates } = login({ collectIntervalMs: 200 });
    await until(() => new Set(updates.map((u) => u.qrText).filter(Boolean)).size >= 4);
    const texts = [...new Set(updates.map((u) => u.qrText).filter((t): t is string => t !== null))];
    const times: number[] = [];
    for (const text of texts) {
      const scan = await sim.control.scanQr(text);
      expect(scan, text).toMatchObject({ ok: true, reason: null });
      times.push(scan.qrTime ?? -1);
    }
    expect(times[0]).toBe(0);
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
    // An old code that is correctly signed is still refused once it is too old.
    await sim.control.configure({ qrMaxAgeSeconds: 1 });
    expect(await sim.control.scanQr(texts[0]!)).toMatchObject({ ok: false, reason: 'stale' });
    // A code with a wrong HMAC is refused: the simulator really checks.
    const forged = texts[0]!.replace(/\.[0-9a-f]{64}$/, `.${'0'.repeat(64)}`);
    expect(await sim.control.scanQr(forged)).toMatchObject({ ok: false, reason: 'bad_auth_code' });
    flow.cancel();
    await flow.result;
  }, 20_000);

  it('the qrStartSecret never appears in anything sent toward the renderer', async () => {
    const { flow, updates } = login({ collectIntervalMs: 100 });
    const order = await orderOf();
    await until(() => new Set(updates.map((u) => u.qrText)).size >= 3);
    await sim.control.complete({ orderRef: order.orderRef, personalNumber: PNO });
    await flow.result;
    const sent = JSON.stringify(updates) + JSON.stringify(flow.current());
    expect(order.qrStartSecret.length).toBeGreaterThan(10);
    expect(sent).not.toContain(order.qrStartSecret);
    expect(sent).not.toContain(order.orderRef);
    expect(sent).toContain(order.qrStartToken);
    expect(updates.some((u) => u.autoStartUrl === `bankid:///?autostarttoken=${order.autoStartToken}&redirect=null`)).toBe(true);
  }, 20_000);
});
