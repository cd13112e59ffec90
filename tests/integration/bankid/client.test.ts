import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBankIdClient, type BankIdClient } from '../../../src-main/integrations/bankid';
import type { BankIdSimulator } from '../../../src-sandbox/bankid';
import { clientFor, rawRequest, startSim } from './support';

// A valid personnummer (Skatteverket test range) in the 12-digit form BankID uses.
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

async function authOk(personalNumber?: string) {
  const r = await client.auth({ endUserIp: '192.0.2.10', ...(personalNumber ? { personalNumber } : {}) });
  if (!r.ok) throw new Error(`auth failed: ${r.error.code} ${r.error.message}`);
  return r.value;
}

describe('BankID client over mutual TLS', () => {
  it('starts an order and collects pending, then complete with the user', async () => {
    const order = await authOk();
    expect(order.orderRef).toMatch(/^[0-9a-f-]{36}$/);
    expect(order.qrStartSecret).not.toBe('');

    const pending = await client.collect(order.orderRef);
    expect(pending.ok && pending.value.status === 'pending' && pending.value.hintCode).toBe('outstandingTransaction');

    await sim.control.complete({ orderRef: order.orderRef, personalNumber: PNO, givenName: 'Karin', surname: 'Lind' });
    const done = await client.collect(order.orderRef);
    expect(done.ok).toBe(true);
    if (!done.ok || done.value.status !== 'complete') throw new Error('expected complete');
    expect(done.value.completionData.user).toEqual({ personalNumber: PNO, name: 'Karin Lind', givenName: 'Karin', surname: 'Lind' });
    expect(done.value.completionData.device.ipAddress).toBe('192.0.2.10');
  });

  it('sends the personal number as requirement.personalNumber in 12 digits and the text as base64 simpleMarkdownV1', async () => {
    const r = await client.auth({ endUserIp: '192.0.2.10', personalNumber: '811228-9874', userVisibleMarkdown: '# Logga in på Kassa\nTandvård *Åre*' });
    expect(r.ok).toBe(true);
    const [seen] = await sim.control.orders();
    expect(seen?.personalNumber).toBe(PNO);
    expect(Buffer.from(seen?.userVisibleData ?? '', 'base64').toString('utf8')).toBe('# Logga in på Kassa\nTandvård *Åre*');
  });

  it('refuses an invalid personal number before calling BankID', async () => {
    const r = await client.auth({ endUserIp: '192.0.2.10', personalNumber: '198112289875' });
    expect(r.ok || r.error.code).toBe('bankid.invalid_input');
    expect(await sim.control.orders()).toHaveLength(0);
  });

  it('alreadyInProgress: the second order is refused and the first one is aborted (cancelled)', async () => {
    const first = await authOk(PNO);
    const second = await client.auth({ endUserIp: '192.0.2.10', personalNumber: PNO });
    expect(second.ok).toBe(false);
    if (second.ok) return;
    expect(second.error).toMatchObject({ code: 'bankid.already_in_progress', errorCode: 'alreadyInProgress', httpStatus: 400 });
    const collected = await client.collect(first.orderRef);
    expect(collected.ok && collected.value).toMatchObject({ status: 'failed', hintCode: 'cancelled' });
    expect(await sim.control.orders()).toHaveLength(1);
  });

  it('cancel removes the order: a later collect is invalidParameters', async () => {
    const order = await authOk();
    expect((await client.cancel(order.orderRef)).ok).toBe(true);
    const r = await client.collect(order.orderRef);
    expect(r.ok || r.error).toMatchObject({ code: 'bankid.invalid_parameters', errorCode: 'invalidParameters', details: 'No such order' });
  });

  it('the simulator refuses a content type other than exactly application/json with 415', async () => {
    for (const contentType of ['application/json; charset=utf-8', 'text/plain', null]) {
      const r = await rawRequest(sim, 'auth', { contentType, body: JSON.stringify({ endUserIp: '192.0.2.10' }) });
      expect(r.status).toBe(415);
      expect(JSON.parse(r.body)).toMatchObject({ errorCode: 'unsupportedMediaType' });
    }
    expect(await sim.control.orders()).toHaveLength(0);
  });

  it('the simulator answers 405 to other methods, 404 to unknown paths and 400 to bad bodies', async () => {
    const get = await rawRequest(sim, 'collect', { method: 'GET' });
    expect([get.status, JSON.parse(get.body).errorCode]).toEqual([405, 'methodNotAllowed']);
    const unknown = await rawRequest(sim, 'authenticate');
    expect([unknown.status, JSON.parse(unknown.body).errorCode]).toEqual([404, 'notFound']);
    const badJson = await rawRequest(sim, 'auth', { body: '{"endUserIp":' });
    expect([badJson.status, JSON.parse(badJson.body).errorCode]).toEqual([400, 'invalidParameters']);
    const badIp = await rawRequest(sim, 'auth', { body: JSON.stringify({ endUserIp: 'not an ip' }) });
    expect(JSON.parse(badIp.body)).toMatchObject({ errorCode: 'invalidParameters', details: expect.stringContaining('endUserIp') });
    const topLevelPno = await rawRequest(sim, 'auth', { body: JSON.stringify({ endUserIp: '192.0.2.10', personalNumber: PNO }) });
    expect(topLevelPno.status).toBe(400);
  });

  it('maps 503 maintenance to a retryable typed error', async () => {
    await sim.control.addFault({ endpoint: 'auth', status: 503, times: 1 });
    const r = await client.auth({ endUserIp: '192.0.2.10' });
    expect(r.ok || r.error).toMatchObject({ code: 'bankid.maintenance', errorCode: 'maintenance', httpStatus: 503, retryable: true });
    expect((await client.auth({ endUserIp: '192.0.2.10' })).ok).toBe(true);
  });

  it('maps 429 with its RateLimit headers, 401, 403, 408 and 500', async () => {
    await sim.control.addFault({ endpoint: 'collect', status: 429, times: 1 });
    const limited = await client.collect('any');
    expect(limited.ok || limited.error).toMatchObject({ code: 'bankid.rate_limited', httpStatus: 429, retryAfterSeconds: 1, retryable: true });
    for (const [status, code] of [
      [401, 'bankid.unauthorized'],
      [403, 'bankid.unauthorized'],
      [408, 'bankid.request_timeout'],
      [500, 'bankid.internal_error'],
    ] as const) {
      await sim.control.addFault({ endpoint: 'auth', status, times: 1 });
      const r = await client.auth({ endUserIp: '192.0.2.10' });
      expect(r.ok || [r.error.code, r.error.httpStatus]).toEqual([code, status]);
    }
  });

  it('keeps an unknown errorCode raw under a generic error', async () => {
    await sim.control.addFault({ endpoint: 'auth', status: 400, errorCode: 'brandNewCode', details: 'new in 6.1', times: 1 });
    const r = await client.auth({ endUserIp: '192.0.2.10' });
    expect(r.ok || r.error).toMatchObject({ code: 'bankid.unknown', errorCode: 'brandNewCode', details: 'new in 6.1', httpStatus: 400 });
  });

  it('rejects malformed answers with a clear error naming the fields, never echoing the body', async () => {
    await sim.control.addFault({ endpoint: 'auth', malformed: true, times: 1 });
    const auth = await client.auth({ endUserIp: '192.0.2.10' });
    expect(auth.ok).toBe(false);
    if (!auth.ok) {
      expect(auth.error.code).toBe('bankid.malformed_response');
      expect(auth.error.message).toMatch(/\/auth answer does not match the v6\.0 shape: .*orderRef.*qrStartSecret/);
    }

    const order = await authOk();
    await sim.control.addFault({ endpoint: 'collect', malformed: true, times: 1 });
    const collect = await client.collect(order.orderRef);
    expect(collect.ok || collect.error.message).toMatch(/completionData\.user\.personalNumber/);

    await sim.control.addFault({ endpoint: 'cancel', malformed: true, times: 1 });
    const cancel = await client.cancel(order.orderRef);
    expect(cancel.ok || cancel.error.code).toBe('bankid.malformed_response');
  });

  it('gives up after its timeout', async () => {
    const slow = clientFor(sim, { timeoutMs: 300 });
    try {
      await sim.control.addFault({ endpoint: 'collect', latencyMs: 3000, times: 1 });
      const r = await slow.collect('x');
      expect(r.ok || r.error).toMatchObject({ code: 'bankid.transport', retryable: true, transport: { kind: 'timeout' } });
    } finally {
      slow.close();
    }
  });
});

describe('mutual TLS is enforced', () => {
  it('a client without a certificate is refused in the handshake', async () => {
    await expect(rawRequest(sim, 'auth', { withCert: false, body: JSON.stringify({ endUserIp: '192.0.2.10' }) })).rejects.toThrow(/certificate/i);
    expect(await sim.control.orders()).toHaveLength(0);
  });

  it('a certificate from another CA is refused before any order exists', async () => {
    const foreign = clientFor(sim, { pfx: sim.pki?.foreignClientPfx ?? Buffer.alloc(0) });
    try {
      const r = await foreign.auth({ endUserIp: '192.0.2.10' });
      // Under TLS 1.3 the server's refusal reaches the client as an alert or as a bare reset.
      expect(r.ok || ['bankid.tls', 'bankid.transport'].includes(r.error.code)).toBe(true);
      expect(r.ok).toBe(false);
      expect(await sim.control.orders()).toHaveLength(0);
    } finally {
      foreign.close();
    }
  });

  it('a server not signed by the configured BankID CA is refused by the client', async () => {
    const other = await startSim();
    try {
      // Our certificate is fine for `sim`, but `other` presents a server certificate from its own CA.
      const mismatched = clientFor(sim, { baseUrl: other.url });
      const r = await mismatched.auth({ endUserIp: '192.0.2.10' });
      expect(r.ok || r.error.code).toBe('bankid.tls');
      mismatched.close();
    } finally {
      await other.close();
    }
  });

  it('a wrong passphrase fails at setup with a certificate error that does not contain the passphrase', () => {
    const r = createBankIdClient({ baseUrl: sim.url, pfx: sim.clientPfx, passphrase: 'wrong-passphrase', ca: sim.ca });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('bankid.certificate');
      expect(JSON.stringify(r.error)).not.toContain('wrong-passphrase');
    }
  });
});
