import axios, { AxiosError } from 'axios';
import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSandbox, type Sandbox } from '../../support/sandbox';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => sandbox.close());
beforeEach(async () => {
  await Promise.all([sandbox.paynova.control.reset(), sandbox.twilio.control.reset(), sandbox.geoplugin.control.reset()]);
});

const paynova = (timeout = 5000) =>
  axios.create({
    baseURL: sandbox.paynova.url,
    timeout,
    auth: { username: sandbox.paynova.merchant.merchantId, password: sandbox.paynova.merchant.apiPassword },
    validateStatus: () => true,
  });

async function axiosError(p: Promise<unknown>): Promise<AxiosError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AxiosError) return e;
    throw e;
  }
  throw new Error('expected the request to fail');
}

describe('fault injection', () => {
  it('http5xx: answers the chosen status in the provider envelope, only `times` times', async () => {
    await sandbox.paynova.control.addFault({ route: '^/orders/create', kind: 'http5xx', status: 502, times: 1 });
    const first = await paynova().post('/orders/create/K-5XX/10.00/SEK');
    expect(first.status).toBe(502);
    expect(first.data.status).toMatchObject({ isSuccess: false, errorNumber: -1, statusKey: 'INTERNAL_ERROR' });
    const second = await paynova().post('/orders/create/K-5XX/10.00/SEK');
    expect(second.status).toBe(201);
    const seen = await sandbox.paynova.control.requests({ path: '^/orders/create' });
    expect(seen.map((r) => [r.fault ?? null, r.status])).toEqual([
      ['http5xx', 502],
      [null, 201],
    ]);
  });

  it('rate_limit: Twilio answers 429 / 20429 through the SDK', async () => {
    await sandbox.twilio.control.addFault({ route: 'Messages\\.json$', method: 'POST', kind: 'rate_limit' });
    const client = twilio(sandbox.twilio.account.accountSid, sandbox.twilio.account.authToken, { autoRetry: false });
    client.api.baseUrl = sandbox.twilio.url;
    await expect(client.messages.create({ to: '+46701234567', from: '+46701110000', body: 'x' })).rejects.toMatchObject({ status: 429, code: 20429 });
  });

  it('latency: a client with a shorter timeout gives up, the request itself still succeeds', async () => {
    await sandbox.geoplugin.control.addFault({ route: '^/json\\.gp$', kind: 'latency', latencyMs: 1500, times: 1 });
    const e = await axiosError(axios.get(`${sandbox.geoplugin.url}/json.gp?ip=8.8.8.8`, { timeout: 100 }));
    expect(e.code).toBe('ECONNABORTED');
    const seen = await sandbox.geoplugin.control.requests();
    expect(seen[0]!.fault).toBe('latency');
  });

  it('hang: the request never gets an answer until the client times out', async () => {
    await sandbox.paynova.control.addFault({ route: '^/paymentoptions$', kind: 'hang' });
    const e = await axiosError(paynova(200).post('/paymentoptions', { totalAmount: 10, paymentChannelId: 1, currencyCode: 'SEK' }));
    expect(e.code).toBe('ECONNABORTED');
    expect(e.response).toBeUndefined();
  });

  it('reset: the connection is destroyed without a response', async () => {
    await sandbox.paynova.control.addFault({ route: '^/orders/create', kind: 'reset' });
    const e = await axiosError(paynova().post('/orders/create/K-RST/10.00/SEK'));
    expect(e.response).toBeUndefined();
    expect(['ECONNRESET', 'ERR_BAD_RESPONSE', 'EPIPE']).toContain(e.code);
    expect(await sandbox.paynova.control.orders()).toHaveLength(0);
  });

  it('probability 0 never injects; method filters; reset clears faults', async () => {
    await sandbox.paynova.control.addFault({ route: '.', kind: 'http5xx', probability: 0 });
    await sandbox.paynova.control.addFault({ route: '.', kind: 'http5xx', method: 'DELETE' });
    expect((await paynova().post('/orders/create/K-P0/10.00/SEK')).status).toBe(201);
    expect(await sandbox.paynova.control.faults()).toHaveLength(2);
    await sandbox.paynova.control.reset();
    expect(await sandbox.paynova.control.faults()).toHaveLength(0);
  });

  it('removeFault removes one rule; bad rules are refused with field-named issues', async () => {
    const rule = await sandbox.twilio.control.addFault({ route: '.', kind: 'http5xx' });
    await sandbox.twilio.control.removeFault(rule.id);
    expect(await sandbox.twilio.control.faults()).toHaveLength(0);
    await expect(sandbox.twilio.control.addFault({ route: '(', kind: 'http5xx' })).rejects.toMatchObject({
      status: 400,
      body: { issues: [expect.objectContaining({ field: 'route' })] },
    });
    await expect(sandbox.twilio.control.addFault({ route: '.', kind: 'explode' as never })).rejects.toMatchObject({ status: 400 });
  });

  it('control routes are never faulted', async () => {
    await sandbox.geoplugin.control.addFault({ route: '.', kind: 'http5xx' });
    const state = await sandbox.geoplugin.control.state();
    expect(state.simulator).toBe('geoplugin');
  });
});
