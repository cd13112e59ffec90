import { createHmac } from 'node:crypto';
import https from 'node:https';
import { BankIdCollectResponse, BankIdErrorResponse, BankIdOrderResponse } from '../../src-shared/schemas/bankid';

/**
 * The sync server's own BankID relying-party calls, for console logins: the server starts the
 * order and collects it itself, so no browser (and no desk) can claim a person it did not prove.
 * The desk's client in src-main/integrations/bankid cannot be imported from src-server (import
 * rules), so this is the minimal twin: /auth, /collect, /cancel over mutual TLS, answers parsed
 * with the shared zod schemas, the animated QR computed here. qrStartSecret never leaves the server.
 */
export interface ServerBankIdOptions {
  readonly baseUrl: string;
  readonly pfx: Buffer;
  readonly passphrase: string;
  readonly ca: string | Buffer;
  readonly timeoutMs?: number;
}

export type BankIdCall<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export class ServerBankId {
  private readonly agent: https.Agent;

  constructor(private readonly opts: ServerBankIdOptions) {
    this.agent = new https.Agent({ pfx: opts.pfx, passphrase: opts.passphrase, ca: opts.ca, keepAlive: true, maxSockets: 8 });
  }

  private post(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
    const url = new URL(path, this.opts.baseUrl.endsWith('/') ? this.opts.baseUrl : `${this.opts.baseUrl}/`);
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, timeout: this.opts.timeoutMs ?? 10_000 }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => {
          let json: unknown = null;
          try {
            json = data ? JSON.parse(data) : null;
          } catch {
            json = null;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(payload);
    });
  }

  private async call<T>(path: string, body: unknown, parse: (v: unknown) => { success: true; data: T } | { success: false }): Promise<BankIdCall<T>> {
    try {
      const r = await this.post(path, body);
      if (r.status !== 200) {
        const e = BankIdErrorResponse.safeParse(r.json);
        return { ok: false, code: e.success ? e.data.errorCode : `http_${r.status}`, message: e.success ? (e.data.details ?? e.data.errorCode) : `BankID answered ${r.status}.` };
      }
      const p = parse(r.json);
      return p.success ? { ok: true, value: p.data } : { ok: false, code: 'bad_answer', message: 'BankID sent an answer we do not understand.' };
    } catch (e) {
      return { ok: false, code: 'unavailable', message: `BankID cannot be reached: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  auth(endUserIp: string) {
    return this.call('auth', { endUserIp }, (v) => BankIdOrderResponse.safeParse(v));
  }

  collect(orderRef: string) {
    return this.call('collect', { orderRef }, (v) => BankIdCollectResponse.safeParse(v));
  }

  async cancel(orderRef: string): Promise<void> {
    await this.call('cancel', { orderRef }, () => ({ success: true, data: null }));
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The animated QR text for `seconds` since the order started (integrations.md §4). */
export function qrText(qrStartToken: string, qrStartSecret: string, seconds: number): string {
  const t = Math.max(0, Math.floor(seconds));
  const code = createHmac('sha256', qrStartSecret).update(String(t)).digest('hex');
  return `bankid.${qrStartToken}.${t}.${code}`;
}
