import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { MAX_FRAME_BYTES, RequestFrame, type ResponseFrame } from '../../src-shared/api';
import type { ClientState, Invoke } from '../core/dispatch';
import { SECURITY_HEADERS, deskCsp } from './csp';
import { readStatic } from './static-files';
import { newHostToken, tokenMatches } from './token';

export interface BrowserHostOptions {
  readonly invoke: Invoke;
  /** The vite build output of the desk (dist/desk). */
  readonly staticDir: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Tests pass a fixed token; otherwise a fresh random one per run. */
  readonly token?: string;
  readonly maxClients?: number;
  readonly onClientClosed?: (client: ClientState) => void;
}

export interface BrowserHost {
  readonly origin: string;
  /** Open this in a browser: the token rides in the fragment, which never reaches a server log. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const HelloFrame = z.object({ type: z.literal('hello'), token: z.string().max(200) }).strict();
const AUTH_TIMEOUT_MS = 5_000;

/**
 * The desk contract over a loopback WebSocket, plus the built desk over HTTP, on one origin bound
 * to 127.0.0.1. Defences: loopback bind, Host and Origin checks (DNS rebinding, other sites), a
 * per-run token checked in constant time as the first frame, a frame size cap, zod on every frame,
 * and the core's own permission and schema checks behind it.
 */
export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = options.token ?? newHostToken();
  const maxClients = options.maxClients ?? 16;
  let origin = '';
  let hostHeader = '';

  const server = createServer((req, res) => void serveHttp(req, res));

  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.host !== hostHeader) {
      res.writeHead(421, { 'Content-Type': 'text/plain' }).end('Misdirected request');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const path = new URL(req.url ?? '/', origin).pathname;
    const found = await readStatic(options.staticDir, path).catch(() => null);
    const headers = { ...SECURITY_HEADERS, 'Content-Security-Policy': deskCsp([`ws://${hostHeader}`]) };
    if (!found) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(
        path === '/' ? 'The desk has not been built yet: run `npm run build`.' : 'Not found',
      );
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': found.mime, 'Content-Length': found.body.length });
    res.end(req.method === 'HEAD' ? undefined : found.body);
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
  });

  server.on('upgrade', (req, socket, head) => {
    const okPath = new URL(req.url ?? '/', origin).pathname === '/api';
    if (!okPath || req.headers.host !== hostHeader || req.headers.origin !== origin || wss.clients.size >= maxClients) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    const client: ClientState = { id: randomUUID(), transport: 'browser-host', session: null };
    let authed = false;
    const timer = setTimeout(() => ws.close(4401, 'authentication required'), AUTH_TIMEOUT_MS);
    const send = (frame: ResponseFrame | { type: 'ready' }) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };

    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(4400, 'text frames only');
      let json: unknown;
      try {
        json = JSON.parse(data.toString());
      } catch {
        return ws.close(4400, 'not JSON');
      }
      if (!authed) {
        const hello = HelloFrame.safeParse(json);
        if (!hello.success || !tokenMatches(token, hello.data.token)) return ws.close(4401, 'bad token');
        authed = true;
        clearTimeout(timer);
        return send({ type: 'ready' });
      }
      const frame = RequestFrame.safeParse(json);
      if (!frame.success) return ws.close(4400, 'bad frame');
      const { id, call, input } = frame.data;
      void options.invoke(client, call, input).then((result) => send({ id, ...result }));
    });
    ws.on('close', () => {
      clearTimeout(timer);
      client.session = null;
      options.onClientClosed?.(client);
    });
    ws.on('error', () => ws.terminate());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hostHeader = `127.0.0.1:${port}`;
  origin = `http://${hostHeader}`;

  return {
    origin,
    port,
    url: `${origin}/#token=${token}`,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
