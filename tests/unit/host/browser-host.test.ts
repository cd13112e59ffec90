import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createDispatcher, type Handlers } from '../../../src-main/core/dispatch';
import { missingHandlers } from '../../../src-main/core/missing';
import { startBrowserHost, type BrowserHost } from '../../../src-main/host/browser-host';
import { tokenMatches } from '../../../src-main/host/token';

const TOKEN = 'test-token-abcdefghijklmnopqrstuvwxyz012345';
let host: BrowserHost;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'kassa-host-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Kassa</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(root, '..', 'kassa-secret.txt'), 'outside');
  const handlers: Handlers = {
    ...missingHandlers((c) => `${c} is not wired in this test`),
    'auth.session': () => null,
    'auth.login': (input, ctx) => {
      const view = {
        user: { id: '6f1c2c64-4a8e-4a53-9d3c-6a4a3c1d2e10', username: input.username, displayName: 'Test', role: 'staff' as const, language: 'sv' as const, clinicId: null },
        clinic: null, method: 'password' as const, offline: false, expiresAt: new Date(Date.now() + 60_000).toISOString(),
      };
      ctx.client.session = { ...view, secret: { accessToken: null } };
      return view;
    },
  };
  const invoke = createDispatcher(handlers, { error: () => undefined });
  host = await startBrowserHost({ invoke, staticDir: root, token: TOKEN });
});
afterAll(() => host.close());

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, headers: { host: `127.0.0.1:${host.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function open(origin = host.origin): Promise<{ ws: WebSocket; frames: unknown[]; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api`, { origin });
    const frames: unknown[] = [];
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
    ws.on('open', () => resolve({ ws, frames, closed }));
    ws.on('error', reject);
  });
}

async function until<T>(f: () => T | undefined, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('browser host', () => {
  it('binds to loopback and puts the token only in the fragment', () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.url).toBe(`${host.origin}/#token=${TOKEN}`);
  });

  it('serves the desk with a strict CSP and refuses other Host headers and path traversal', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await get('/assets/app.js')).headers['content-type']).toContain('javascript');
    expect((await get('/', { host: 'evil.example:80' })).status).toBe(421);
    expect((await get('/../kassa-secret.txt')).status).toBe(404);
    expect((await get('/%2e%2e/kassa-secret.txt')).status).toBe(404);
  });

  it('refuses a WebSocket from another origin', async () => {
    await expect(open('http://evil.example')).rejects.toThrow(/403/);
  });

  it('closes the socket on a wrong token and answers calls after the right one', async () => {
    const bad = await open();
    bad.ws.send(JSON.stringify({ type: 'hello', token: 'wrong' }));
    expect(await bad.closed).toBe(4401);

    const good = await open();
    good.ws.send(JSON.stringify({ type: 'hello', token: TOKEN }));
    await until(() => (good.frames.length ? good.frames[0] : undefined));
    expect(good.frames[0]).toEqual({ type: 'ready' });

    good.ws.send(JSON.stringify({ id: 1, call: 'orders.list', input: {} }));
    good.ws.send(JSON.stringify({ id: 2, call: 'auth.login', input: { method: 'password', username: 'Anna', password: 'x', pin: '12' } }));
    good.ws.send(JSON.stringify({ id: 3, call: 'no.such', input: {} }));
    good.ws.send(JSON.stringify({ id: 4, call: 'auth.login', input: { method: 'password', username: 'anna', password: 'x', pin: '1234' } }));
    const byId = async (id: number) => until(() => good.frames.find((f) => (f as { id?: number }).id === id) as Record<string, unknown> | undefined);
    expect(await byId(1)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(await byId(2)).toMatchObject({ ok: false, error: { code: 'validation', field: 'pin' } });
    expect(await byId(3)).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    expect(await byId(4)).toMatchObject({ ok: true, value: { user: { username: 'anna' } } });
    good.ws.send(JSON.stringify({ id: 5, call: 'orders.list', input: {} }));
    // Logged in now, so the permission passes and the missing part answers honestly.
    expect(await byId(5)).toMatchObject({ ok: false, error: { code: 'not_implemented' } });
    good.ws.close();
  });

  it('drops malformed frames and frames over the size limit', async () => {
    const c = await open();
    c.ws.send(JSON.stringify({ type: 'hello', token: TOKEN }));
    await until(() => (c.frames.length ? true : undefined));
    c.ws.send(JSON.stringify({ id: 'x', call: 1 }));
    expect(await c.closed).toBe(4400);

    const big = await open();
    big.ws.send(JSON.stringify({ type: 'hello', token: TOKEN }));
    await until(() => (big.frames.length ? true : undefined));
    big.ws.send(JSON.stringify({ id: 1, call: 'patients.list', input: { search: 'x'.repeat(2 * 1024 * 1024) } }));
    expect(await big.closed).toBe(1009);
  });

  it('compares tokens without throwing on odd input', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(TOKEN, TOKEN.slice(1))).toBe(false);
    expect(tokenMatches(TOKEN, 42)).toBe(false);
    expect(tokenMatches(TOKEN, 'x'.repeat(10_000))).toBe(false);
  });
});
