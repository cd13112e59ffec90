/**
 * Test helpers around the provider sandbox: fast timings, and a loopback receiver that records
 * webhooks byte for byte (the raw body matters: Pn-Digest and X-Twilio-Signature cover it).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src-sandbox/index';

export type { Sandbox } from '../../src-sandbox/index';

/** The sandbox with test timings: event-hook retries 20 ms apart, SMS lifecycle steps of 20 ms. */
export function startTestSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({
    ...opts,
    paynova: { eventHookRetryIntervalMs: 20, ...opts.paynova },
    twilio: { stepMs: 20, ...opts.twilio },
  });
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  form: Record<string, string>;
}

export interface Receiver {
  /** Base URL, e.g. http://127.0.0.1:PORT (append any path). */
  url: string;
  received: ReceivedRequest[];
  /** Status codes to answer with, in order; once used up, 200. */
  respondWith(...statuses: number[]): void;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  let scripted: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawBody,
        form: Object.fromEntries(new URLSearchParams(rawBody)),
      });
      res.statusCode = scripted.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    respondWith(...statuses) {
      scripted = statuses;
    },
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`Receiver got ${received.length} of ${count} requests within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
