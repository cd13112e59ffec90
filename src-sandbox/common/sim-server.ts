import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { zodIssues } from '../../src-shared/schemas/errors';
import { sleep } from './time';
import { FaultRuleInput, RequestQuery, type FaultKind, type FaultRule, type SeenRequest } from './control-schemas';

export const CONTROL_PREFIX = '/__control';

/** How a simulator words an error it did not choose itself (fault, 404, 413, malformed body). */
export interface ProviderError {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}
export type ProviderErrorRenderer = (status: number, reason: string) => ProviderError;

export interface SimServerOptions {
  name: string;
  /** Oversized bodies are refused with 413 in the provider's own envelope. */
  bodyLimit: number;
  renderError: ProviderErrorRenderer;
  /** Snapshot for GET /__control/state. */
  state: () => unknown;
  /** Clears the simulator's own state; faults and the request log are cleared by the shell. */
  reset: () => void;
}

export interface SimServer {
  app: FastifyInstance;
  requests: SeenRequest[];
  listen(port: number): Promise<string>;
  close(): Promise<void>;
}

const MAX_LOGGED_REQUESTS = 10_000;

/** Reads `input` with `schema`; answers 400 with field-named issues on failure (control API). */
export function parseControl<S extends z.ZodType>(schema: S, input: unknown, reply: FastifyReply): z.output<S> | undefined {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  void reply.code(400).send({ error: 'invalid_control_input', issues: zodIssues(parsed.error) });
  return undefined;
}

export function sendProviderError(reply: FastifyReply, e: ProviderError): FastifyReply {
  reply.code(e.status).header('content-type', e.contentType);
  for (const [k, v] of Object.entries(e.headers ?? {})) reply.header(k, v);
  return reply.send(e.body);
}

export function basicAuth(request: FastifyRequest): { username: string; password: string } | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The shell every simulator shares: loopback Fastify with a body limit, a JSON parser that treats
 * an empty body as "no body" (clients send Content-Type on body-less POSTs), a form parser,
 * provider-shaped errors for anything the routes did not answer, a request log, fault injection
 * and the common control routes (state, reset, requests, faults).
 */
export function createSimServer(opts: SimServerOptions): SimServer {
  const app = Fastify({ logger: false, bodyLimit: opts.bodyLimit, forceCloseConnections: true });
  const requests: SeenRequest[] = [];
  let faults: FaultRule[] = [];
  const hanging = new Set<Socket>();
  let nextRequestId = 1;

  // Only the media types the providers speak: anything else (text/plain included) is a 415.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/json', 'text/json'], { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text) as unknown);
    } catch (_e) {
      const error = new Error('The request body is not valid JSON.') as Error & { statusCode: number };
      error.statusCode = 400;
      done(error, undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    // Repeated keys become arrays, as Twilio's own form handling does for MediaUrl.
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(String(body))) {
      const prev = out[k];
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    done(null, out);
  });

  const isControl = (url: string) => url === CONTROL_PREFIX || url.startsWith(`${CONTROL_PREFIX}/`);
  const pathOf = (url: string) => url.split('?')[0] ?? url;

  const pickFault = (method: string, path: string): FaultRule | undefined => {
    for (const rule of faults) {
      if (rule.times !== undefined && rule.injected >= rule.times) continue;
      if (rule.method !== undefined && rule.method !== method) continue;
      if (!new RegExp(rule.route).test(path)) continue;
      if (Math.random() >= rule.probability) continue;
      rule.injected += 1;
      return rule;
    }
    return undefined;
  };

  app.addHook('onRequest', async (request, reply) => {
    if (isControl(request.url)) return;
    const path = pathOf(request.url);
    const entry: SeenRequest = {
      id: nextRequestId++,
      at: new Date().toISOString(),
      method: request.method,
      path,
      query: { ...(request.query as Record<string, unknown>) },
    };
    const auth = basicAuth(request);
    if (auth) entry.username = auth.username;
    requests.push(entry);
    if (requests.length > MAX_LOGGED_REQUESTS) requests.shift();
    (request as FastifyRequest & { seen?: SeenRequest }).seen = entry;

    const rule = pickFault(request.method, path);
    if (!rule) return;
    entry.fault = rule.kind;
    await injectFault(rule, request, reply, entry);
    return reply.sent ? reply : undefined;
  });

  async function injectFault(rule: FaultRule, request: FastifyRequest, reply: FastifyReply, entry: SeenRequest): Promise<void> {
    const kind: FaultKind = rule.kind;
    switch (kind) {
      case 'latency':
        await sleep(rule.latencyMs ?? 1000);
        return;
      case 'http5xx': {
        const status = rule.status ?? 503;
        entry.status = status;
        sendProviderError(reply, opts.renderError(status, 'Injected server error'));
        return;
      }
      case 'rate_limit':
        entry.status = 429;
        sendProviderError(reply, opts.renderError(429, 'Too Many Requests'));
        return;
      case 'reset':
        reply.hijack();
        request.raw.socket.destroy();
        return;
      case 'hang': {
        reply.hijack();
        const socket = request.raw.socket;
        hanging.add(socket);
        socket.once('close', () => hanging.delete(socket));
        if (rule.hangMs !== undefined) setTimeout(() => socket.destroy(), rule.hangMs).unref();
        return;
      }
    }
  }

  app.addHook('preHandler', async (request) => {
    const seen = (request as FastifyRequest & { seen?: SeenRequest }).seen;
    if (seen && request.body !== undefined) seen.body = request.body;
  });
  app.addHook('onResponse', async (request, reply) => {
    const seen = (request as FastifyRequest & { seen?: SeenRequest }).seen;
    if (seen) seen.status = reply.statusCode;
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (isControl(request.url)) {
      return reply.code(status).send({ error: status >= 500 ? 'internal_error' : 'bad_request', message: error.message });
    }
    return sendProviderError(reply, opts.renderError(status, error.message));
  });
  app.setNotFoundHandler((request, reply) => {
    if (isControl(request.url)) return reply.code(404).send({ error: 'not_found', message: `No control route ${request.method} ${request.url}` });
    return sendProviderError(reply, opts.renderError(404, `The requested resource ${pathOf(request.url)} was not found`));
  });

  // ---- common control routes ----
  app.get(`${CONTROL_PREFIX}/state`, async () => ({ simulator: opts.name, faults, state: opts.state() }));
  app.post(`${CONTROL_PREFIX}/reset`, async () => {
    faults = [];
    requests.length = 0;
    for (const socket of hanging) socket.destroy();
    hanging.clear();
    opts.reset();
    return { ok: true };
  });
  app.get(`${CONTROL_PREFIX}/requests`, async (request, reply) => {
    const q = parseControl(RequestQuery, request.query, reply);
    if (!q) return reply;
    let pattern: RegExp | undefined;
    try {
      pattern = q.path === undefined ? undefined : new RegExp(q.path);
    } catch (_e) {
      return reply.code(400).send({ error: 'invalid_control_input', issues: [{ field: 'path', message: 'must be a valid regular expression' }] });
    }
    return {
      requests: requests.filter(
        (r) => (pattern === undefined || pattern.test(r.path)) && (q.method === undefined || r.method === q.method.toUpperCase()),
      ),
    };
  });
  app.post(`${CONTROL_PREFIX}/faults`, async (request, reply) => {
    const input = parseControl(FaultRuleInput, request.body, reply);
    if (!input) return reply;
    const rule: FaultRule = { ...input, id: randomUUID(), injected: 0 };
    faults.push(rule);
    return reply.code(201).send(rule);
  });
  app.get(`${CONTROL_PREFIX}/faults`, async () => ({ faults }));
  app.delete(`${CONTROL_PREFIX}/faults`, async () => {
    faults = [];
    return { ok: true };
  });
  app.delete<{ Params: { id: string } }>(`${CONTROL_PREFIX}/faults/:id`, async (request, reply) => {
    const before = faults.length;
    faults = faults.filter((f) => f.id !== request.params.id);
    if (faults.length === before) return reply.code(404).send({ error: 'not_found', message: 'No such fault rule' });
    return { ok: true };
  });

  return {
    app,
    requests,
    async listen(port: number) {
      await app.listen({ host: '127.0.0.1', port });
      const address = app.server.address() as AddressInfo;
      return `http://127.0.0.1:${address.port}`;
    },
    async close() {
      for (const socket of hanging) socket.destroy();
      hanging.clear();
      await app.close();
    },
  };
}
