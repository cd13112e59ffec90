import { Agent, request } from 'node:http';
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../../src-shared/sync/protocol';

/**
 * One simulated desk's HTTP connection for the push benchmark: node:http on a keep-alive socket of
 * its own, as a desk PC has. The bench's 50 desks share the server's two cores, so what they
 * spend is taken from the server: with fetch (undici) they took 8–12 µs of CPU a mutation, with
 * this 3–5 (sync bench, 2026-11-22), for the same bytes on the wire.
 */
export function deskConnection(baseUrl: string, headers: Record<string, string>) {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const fixed = { ...headers, [PROTOCOL_HEADER]: String(PROTOCOL_VERSION), 'content-type': 'application/json' };
  return {
    post<T>(path: string, body: string): Promise<{ status: number; body: T }> {
      return new Promise((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, path, method: 'POST', agent, headers: { ...fixed, 'content-length': Buffer.byteLength(body) } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            try {
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as T });
            } catch (e) {
              reject(e instanceof Error ? e : new Error(String(e)));
            }
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
