import https from 'node:https';
import { createBankIdClient, type BankIdClient, type BankIdClientOptions } from '../../../src-main/integrations/bankid';
import { startBankIdSimulator, type BankIdSimulator } from '../../../src-sandbox/bankid';

export async function startSim(): Promise<BankIdSimulator> {
  return startBankIdSimulator({ port: 0 });
}

export function clientFor(sim: BankIdSimulator, overrides: Partial<BankIdClientOptions> = {}): BankIdClient {
  const created = createBankIdClient({ baseUrl: sim.url, pfx: sim.clientPfx, passphrase: sim.passphrase, ca: sim.ca, timeoutMs: 5000, ...overrides });
  if (!created.ok) throw new Error(created.error.message);
  return created.value;
}

/** A raw HTTPS call, for what our client would never send (wrong method, wrong content type). */
export function rawRequest(
  sim: BankIdSimulator,
  path: string,
  init: { method?: string; contentType?: string | null; body?: string; withCert?: boolean } = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const { method = 'POST', contentType = 'application/json', body = '{}', withCert = true } = init;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (contentType !== null) headers['content-type'] = contentType;
    const req = https.request(
      new URL(path, sim.url),
      { method, headers, ca: sim.ca, agent: false, ...(withCert ? { pfx: sim.clientPfx, passphrase: sim.passphrase } : {}) },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (data += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(method === 'GET' || method === 'HEAD' ? undefined : body);
  });
}
