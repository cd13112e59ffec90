import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  BANKID_ERROR_STATUS,
  BankIdAuthRequest,
  BankIdOrderRefRequest,
  BankIdSignRequest,
  type BankIdErrorCode,
} from '../../src-shared/schemas/bankid';
import { formatZodError } from '../../src-shared/schemas/errors';
import { parseControl } from '../common/sim-server';
import { sleep } from '../common/time';
import {
  BankIdEndpoint,
  CompleteInput,
  ConfigInput,
  FaultInput,
  HintInput,
  ScanQrInput,
  TargetInput,
  type Fault,
  type SimConfig,
} from './control-schemas';
import { BankIdControlClient } from './control-client';
import { OrderBook, type SimOrder } from './orders';
import { createBankIdTestPki, type BankIdTestPki } from './pki';

export const RP_PREFIX = '/rp/v6.0';
const CONTROL = '/__control';

/** The server side of the TLS material: what the simulator presents and which clients it trusts. */
export type BankIdSimulatorTls = Pick<BankIdTestPki, 'ca' | 'serverKey' | 'serverCert' | 'clientPfx' | 'passphrase'>;

export interface BankIdSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Certificates to use; a throwaway PKI is generated with openssl when absent. */
  tls?: BankIdSimulatorTls;
  config?: ConfigInput;
  now?: () => number;
}

export interface BankIdSimulator {
  /** Base URL of the RP API, with the trailing slash, like BANKID_TEST_URL. */
  url: string;
  origin: string;
  control: BankIdControlClient;
  /** PEM the client must trust (stands in for BankID's private CA). */
  ca: string;
  /** Relying-party certificate the simulator accepts, PKCS#12 encrypted with `passphrase`. */
  clientPfx: Buffer;
  passphrase: string;
  /** The generated PKI (with a foreign client certificate for refusal tests), when we made one. */
  pki: BankIdTestPki | null;
  close(): Promise<void>;
}

export const DEFAULT_SIM_CONFIG: SimConfig = { unscannedTimeoutMs: 30_000, orderTimeoutMs: 180_000, qrMaxAgeSeconds: 5 };

const DETAILS: Record<BankIdErrorCode, string> = {
  alreadyInProgress: 'Order already in progress for pno',
  invalidParameters: 'Invalid parameter',
  unauthorized: 'RP does not have access to the service',
  notFound: 'An invalid URL path was used',
  methodNotAllowed: 'Only http method POST is allowed',
  requestTimeout: 'Timed out while reading the request',
  unsupportedMediaType: 'Adding a "charset" parameter after \'application/json\' is not allowed since the MIME type "application/json" has no "charset" parameter',
  tooManyRequests: 'Too many requests',
  internalError: 'Internal technical error in the BankID system',
  maintenance: 'The service is temporarily unavailable',
};

function errorCodeForStatus(status: number): string {
  const known = (Object.entries(BANKID_ERROR_STATUS) as [BankIdErrorCode, number][]).find(([code, s]) => s === status && code !== 'alreadyInProgress');
  if (known) return known[0];
  if (status === 403) return 'unauthorized';
  return status >= 500 ? 'internalError' : 'invalidParameters';
}

function sendError(reply: FastifyReply, status: number, errorCode?: string, details?: string): FastifyReply {
  const code = errorCode ?? errorCodeForStatus(status);
  if (status === 429) {
    reply.header('RateLimit-Limit', '10').header('RateLimit-Remaining', '0').header('RateLimit-Reset', '1').header('Retry-After', '1');
  }
  return reply
    .code(status)
    .header('content-type', 'application/json')
    .send(JSON.stringify({ errorCode: code, details: details ?? DETAILS[code as BankIdErrorCode] ?? 'Error' }));
}

const INVALID_JSON = Symbol('invalid-json');
const sendJson = (reply: FastifyReply, body: unknown) => reply.code(200).header('content-type', 'application/json').send(JSON.stringify(body));


/** Bodies that break the documented shape in ways a careless client would let through. */
function malformedBody(endpoint: BankIdEndpoint, orderRef: string | undefined): unknown {
  switch (endpoint) {
    case 'auth':
    case 'sign':
      return { orderRef: 12345, autoStartToken: '', qrStartToken: 'x' };
    case 'collect':
      return { orderRef: orderRef ?? 'x', status: 'complete', completionData: { user: { personalNumber: 'not-a-pno' } } };
    case 'cancel':
      return [];
  }
}

export async function startBankIdSimulator(options: BankIdSimulatorOptions = {}): Promise<BankIdSimulator> {
  const pki = options.tls ? null : await createBankIdTestPki();
  const tls: BankIdSimulatorTls = options.tls ?? (pki as BankIdTestPki);
  const now = options.now ?? Date.now;
  let config: SimConfig = { ...DEFAULT_SIM_CONFIG, ...ConfigInput.parse(options.config ?? {}) };
  const book = new OrderBook(() => config, now);
  const orderView = (o: SimOrder) => ({ ...o, ageSeconds: Math.floor((now() - o.createdAt) / 1000) });
  let faults: Fault[] = [];
  /** Successful RP calls per endpoint: lets a test see that a cancel arrived after the order vanished. */
  const calls = { auth: 0, sign: 0, collect: 0, cancel: 0 } satisfies Record<BankIdEndpoint, number>;

  const app = Fastify({
    logger: false,
    bodyLimit: 1024 * 1024,
    forceCloseConnections: true,
    // Mutual TLS like the real RP API: no trusted client certificate, no handshake.
    https: { key: tls.serverKey, cert: tls.serverCert, ca: tls.ca, requestCert: true, rejectUnauthorized: true },
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text) as unknown);
    } catch (_e) {
      done(null, INVALID_JSON);
    }
  });

  const endpointOf = (url: string): BankIdEndpoint | undefined | null => {
    const path = url.split('?')[0] ?? url;
    if (!path.startsWith(`${RP_PREFIX}/`)) return null;
    const parsed = BankIdEndpoint.safeParse(path.slice(RP_PREFIX.length + 1));
    return parsed.success ? parsed.data : undefined;
  };

  // Checks that come before the body is read, in the order a front proxy would make them.
  app.addHook('onRequest', async (request, reply) => {
    const endpoint = endpointOf(request.url);
    if (endpoint === null) return undefined;
    if (endpoint === undefined) return sendError(reply, 404, 'notFound');
    if (request.method !== 'POST') return sendError(reply, 405, 'methodNotAllowed');
    // Exactly application/json: "application/json; charset=UTF-8" is refused too (integrations.md §4).
    if (request.headers['content-type'] !== 'application/json') return sendError(reply, 415, 'unsupportedMediaType');
    return undefined;
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (request.url.startsWith(CONTROL)) return reply.code(status).send({ error: status >= 500 ? 'internal_error' : 'bad_request', message: error.message });
    return sendError(reply, status, status === 413 ? 'invalidParameters' : undefined, status >= 500 ? undefined : error.message);
  });
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith(CONTROL)) return reply.code(404).send({ error: 'not_found', message: `No control route ${request.method} ${request.url}` });
    return sendError(reply, 404, 'notFound');
  });

  const pickFault = (endpoint: BankIdEndpoint): Fault | undefined => {
    const fault = faults.find((f) => (f.endpoint === undefined || f.endpoint === endpoint) && (f.times === undefined || f.injected < f.times));
    if (fault) fault.injected += 1;
    return fault;
  };

  // ---- the RP API ----
  const rp = async (endpoint: BankIdEndpoint, request: FastifyRequest, reply: FastifyReply) => {
    const fault = pickFault(endpoint);
    if (fault?.latencyMs) await sleep(fault.latencyMs);
    if (fault?.status !== undefined) return sendError(reply, fault.status, fault.errorCode, fault.details);
    const body = request.body;
    if (body === INVALID_JSON || body === undefined) return sendError(reply, 400, 'invalidParameters', 'Invalid JSON in request body');
    if (fault?.malformed) return sendJson(reply, malformedBody(endpoint, (body as { orderRef?: string }).orderRef));

    if (endpoint === 'auth' || endpoint === 'sign') {
      const parsed = (endpoint === 'auth' ? BankIdAuthRequest : BankIdSignRequest).safeParse(body);
      if (!parsed.success) return sendError(reply, 400, 'invalidParameters', formatZodError(parsed.error));
      const created = book.create(endpoint, parsed.data);
      if (!created.ok) return sendError(reply, 400, created.errorCode);
      const { orderRef, autoStartToken, qrStartToken, qrStartSecret } = created.order;
      calls[endpoint] += 1;
      return sendJson(reply, { orderRef, autoStartToken, qrStartToken, qrStartSecret });
    }
    const parsed = BankIdOrderRefRequest.safeParse(body);
    if (!parsed.success) return sendError(reply, 400, 'invalidParameters', formatZodError(parsed.error));
    if (endpoint === 'collect') {
      const outcome = book.collect(parsed.data.orderRef);
      if (outcome.found) calls.collect += 1;
      return outcome.found ? sendJson(reply, outcome.body) : sendError(reply, 400, 'invalidParameters', 'No such order');
    }
    if (!book.cancel(parsed.data.orderRef)) return sendError(reply, 400, 'invalidParameters', 'No such order');
    calls.cancel += 1;
    return sendJson(reply, {});
  };
  for (const endpoint of BankIdEndpoint.options) {
    app.post(`${RP_PREFIX}/${endpoint}`, (request, reply) => rp(endpoint, request, reply));
  }

  // ---- control API ----
  const body = (request: FastifyRequest) => (request.body === INVALID_JSON ? { __invalid_json: true } : request.body);
  const withPending = (orderRef: string | undefined, reply: FastifyReply, act: (o: SimOrder) => void) => {
    const order = book.target(orderRef);
    if (!order) return reply.code(404).send({ error: 'no_order', message: orderRef ? `No order ${orderRef}` : 'No pending order' });
    if (order.status !== 'pending') return reply.code(409).send({ error: 'not_pending', message: `Order ${order.orderRef} is already ${order.status}` });
    act(order);
    return { order: orderView(order) };
  };

  app.get(`${CONTROL}/state`, async () => ({ simulator: 'bankid', config, faults, calls, orders: book.list().map(orderView) }));
  app.get(`${CONTROL}/orders`, async () => ({ orders: book.list().map(orderView) }));
  app.post(`${CONTROL}/complete`, async (request, reply) => {
    const input = parseControl(CompleteInput, body(request), reply);
    if (!input) return reply;
    const order = book.target(input.orderRef);
    // An order bound to a personal number can only be completed by that person, as at BankID.
    if (order?.personalNumber && order.personalNumber !== input.personalNumber) {
      return reply.code(409).send({ error: 'personal_number_mismatch', message: `Order ${order.orderRef} is for ${order.personalNumber}` });
    }
    return withPending(input.orderRef, reply, (o) => book.complete(o, input));
  });
  app.post(`${CONTROL}/user-cancel`, async (request, reply) => {
    const input = parseControl(TargetInput, body(request), reply);
    return input ? withPending(input.orderRef, reply, (o) => book.fail(o, 'userCancel')) : reply;
  });
  app.post(`${CONTROL}/expire`, async (request, reply) => {
    const input = parseControl(TargetInput, body(request), reply);
    return input ? withPending(input.orderRef, reply, (o) => book.fail(o, 'expiredTransaction')) : reply;
  });
  app.post(`${CONTROL}/fail`, async (request, reply) => {
    const input = parseControl(HintInput, body(request), reply);
    return input ? withPending(input.orderRef, reply, (o) => book.fail(o, input.hintCode)) : reply;
  });
  app.post(`${CONTROL}/hint`, async (request, reply) => {
    const input = parseControl(HintInput, body(request), reply);
    return input ? withPending(input.orderRef, reply, (o) => book.setPendingHint(o, input.hintCode)) : reply;
  });
  app.post(`${CONTROL}/scan-qr`, async (request, reply) => {
    const input = parseControl(ScanQrInput, body(request), reply);
    return input ? book.scanQr(input.qrText) : reply;
  });
  app.post(`${CONTROL}/faults`, async (request, reply) => {
    const input = parseControl(FaultInput, body(request), reply);
    if (!input) return reply;
    const fault: Fault = { ...input, id: randomUUID(), injected: 0 };
    faults.push(fault);
    return reply.code(201).send(fault);
  });
  app.delete(`${CONTROL}/faults`, async () => {
    faults = [];
    return { ok: true };
  });
  app.post(`${CONTROL}/config`, async (request, reply) => {
    const input = parseControl(ConfigInput, body(request), reply);
    if (!input) return reply;
    config = { ...config, ...input };
    return { config };
  });
  app.post(`${CONTROL}/reset`, async () => {
    faults = [];
    book.reset();
    for (const key of BankIdEndpoint.options) calls[key] = 0;
    config = { ...DEFAULT_SIM_CONFIG, ...ConfigInput.parse(options.config ?? {}) };
    return { ok: true };
  });

  try {
    await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  } catch (error) {
    await pki?.dispose();
    throw error;
  }
  const origin = `https://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const control = new BankIdControlClient({ origin, ca: tls.ca, pfx: tls.clientPfx, passphrase: tls.passphrase });
  return {
    url: `${origin}${RP_PREFIX}/`,
    origin,
    control,
    ca: tls.ca,
    clientPfx: tls.clientPfx,
    passphrase: tls.passphrase,
    pki,
    async close() {
      control.close();
      await app.close();
      await pki?.dispose();
    },
  };
}
