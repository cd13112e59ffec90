import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type Sandbox } from '../../support/sandbox';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => sandbox.close());

const send = (url: string, method: string, data: unknown, headers: Record<string, string>, auth?: { username: string; password: string }) =>
  axios.request({ url, method, data, headers, ...(auth ? { auth } : {}), validateStatus: () => true, transformRequest: [(d: unknown) => d] });

describe('malformed input gets the provider envelope, never a crash', () => {
  const paynovaBodies = ['null', '[]', '5', '"text"', '{"orderNumber":{"$gt":""}}', '{"orderNumber":"K-1000","totalAmount":"NaN","currencyCode":"SEK"}', '{"lineItems":{"0":1}}'];
  it.each(paynovaBodies)('Paynova POST /orders/create %s', async (body) => {
    const { merchantId, apiPassword } = sandbox.paynova.merchant;
    const res = await send(`${sandbox.paynova.url}/orders/create`, 'POST', body, { 'content-type': 'application/json' }, { username: merchantId, password: apiPassword });
    expect(res.status).toBeLessThan(500);
    expect(res.data.status).toMatchObject({ isSuccess: false, errorNumber: expect.any(Number), statusKey: expect.any(String) });
  });

  it.each([
    '/orders/not-a-guid/info',
    '/orders/create/K1/abc/sek',
    '/orders/8f0c0a52-5a4e-4c1e-9a39-0f1c7c9e2b11/transactions/123/finalize/1.00',
    '/addresses/NO/191212121212',
    '/no/such/route',
  ])('Paynova %s', async (path) => {
    const { merchantId, apiPassword } = sandbox.paynova.merchant;
    const method = path.includes('/info') || path.includes('/addresses') ? 'GET' : 'POST';
    const res = await send(`${sandbox.paynova.url}${path}`, method, undefined, {}, { username: merchantId, password: apiPassword });
    expect(res.status).toBeLessThan(500);
    expect(res.data.status.isSuccess).toBe(false);
  });

  it.each(['To=%2B46701234567&To=%2B46709999999&From=%2B46701110000&Body=x', 'Body=%ZZ', '', 'To=&From=&Body='])('Twilio create form %s', async (form) => {
    const { accountSid, authToken } = sandbox.twilio.account;
    const res = await send(`${sandbox.twilio.url}/2010-04-01/Accounts/${accountSid}/Messages.json`, 'POST', form, { 'content-type': 'application/x-www-form-urlencoded' }, { username: accountSid, password: authToken });
    expect(res.status).toBe(400);
    expect(res.data).toMatchObject({ code: expect.any(Number), message: expect.any(String), more_info: expect.stringContaining('twilio.com'), status: 400 });
  });

  it.each(['PageSize=0', 'PageSize=abc', 'DateSent%3E=yesterday'])('Twilio list %s', async (query) => {
    const { accountSid, authToken } = sandbox.twilio.account;
    const res = await send(`${sandbox.twilio.url}/2010-04-01/Accounts/${accountSid}/Messages.json?${query}`, 'GET', undefined, {}, { username: accountSid, password: authToken });
    expect(res.status).toBe(400);
    expect(res.data.code).toEqual(expect.any(Number));
  });

  it('Twilio fetch of a malformed sid is a 20404', async () => {
    const { accountSid, authToken } = sandbox.twilio.account;
    const res = await send(`${sandbox.twilio.url}/2010-04-01/Accounts/${accountSid}/Messages/../../x.json`, 'GET', undefined, {}, { username: accountSid, password: authToken });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('geoPlugin repeated ip parameter', async () => {
    const res = await axios.get(`${sandbox.geoplugin.url}/json.gp?ip=1.1.1.1&ip=2.2.2.2`);
    expect(res.data.geoplugin_status).toBe(404);
  });
});
