import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BankIdControlClient } from '../../../src-sandbox/bankid/control-client';

/**
 * Starts the real pieces as separate processes, exactly as `npm start` composes them: the provider
 * simulators, the sync server (SQLite) and one or more desks (desktop core + browser host). The
 * server can be stopped and started again on the same port and file (the offline test).
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

interface Proc {
  child: ChildProcess;
  line: Record<string, unknown>;
}

function startProc(script: string, args: string[], env: Record<string, string> = {}): Promise<Proc> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(TSX, [join(ROOT, 'scripts', script), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${script} did not start in time:\n${err}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        try {
          resolvePromise({ child, line: JSON.parse(out.slice(0, nl)) as Record<string, unknown> });
        } catch (e) {
          reject(new Error(`${script} printed ${out.slice(0, nl)}: ${String(e)}`));
        }
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (process.env.KASSA_E2E_VERBOSE) process.stderr.write(`[${script}] ${d.toString()}`);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${err}`));
    });
  });
}

function stopProc(p: Proc | null): Promise<void> {
  if (!p || p.child.exitCode !== null) return Promise.resolve();
  return new Promise((r) => {
    p.child.once('exit', () => r());
    p.child.kill('SIGTERM');
    setTimeout(() => p.child.kill('SIGKILL'), 5000).unref();
  });
}

export interface Desk {
  url: string;
  stop(): Promise<void>;
}

export class Stack {
  readonly dir = mkdtempSync(join(tmpdir(), 'kassa-e2e-'));
  sandbox: Proc | null = null;
  server: Proc | null = null;
  serverUrl = '';
  serverPort = 0;
  enrolmentCodes: string[] = [];
  private desks: Proc[] = [];
  private deskCount = 0;

  get sandboxUrls(): { paynovaUrl: string; twilioUrl: string; geopluginUrl: string } {
    return this.sandbox!.line as never;
  }

  async start(desks = 1): Promise<void> {
    this.sandbox = await startProc('start-sandbox.ts', ['--fast']);
    await this.startServer(desks);
    await this.connectWebhooks();
  }

  /** Paynova event hooks from the simulator to the server, verified with the clinic's sealed key. */
  private async connectWebhooks(): Promise<void> {
    const { clinicId, adminToken } = this.server!.line as { clinicId: string; adminToken: string };
    const s = this.sandbox!.line as { paynovaUrl: string; credentials: { merchantId: string; secretKey: string } };
    const put = await fetch(`${this.serverUrl}/v1/admin/clinics/${clinicId}/provider-config`, {
      method: 'PUT',
      headers: { authorization: `Admin ${adminToken}`, 'content-type': 'application/json', 'x-kassa-protocol': '1' },
      body: JSON.stringify({ paynova: { merchantId: s.credentials.merchantId, secretKey: s.credentials.secretKey } }),
    });
    if (!put.ok) throw new Error(`provider-config: ${put.status} ${await put.text()}`);
    await this.paynovaControl('/__control/webhook', { merchantId: s.credentials.merchantId, url: `${this.serverUrl}/v1/webhooks/paynova` });
  }

  /** The patient pays (or, for a plan, activates) the finalized invoice at the simulated Paynova. */
  async paynovaPay(orderNumber: string): Promise<void> {
    const res = await fetch(`${this.sandboxUrls.paynovaUrl}/__control/orders`);
    const { orders } = (await res.json()) as { orders: { orderId: string; orderNumber: string }[] };
    const order = orders.find((o) => o.orderNumber === orderNumber);
    if (!order) throw new Error(`the simulator has no order ${orderNumber}`);
    await this.paynovaControl(`/__control/orders/${order.orderId}/pay`, {});
  }

  async startServer(desks = 0): Promise<void> {
    // The same sealing key across restarts, so the clinic's provider secrets stay readable.
    process.env.KASSA_SERVER_SECRET_KEY ??= randomBytes(32).toString('hex');
    this.server = await startProc('start-server.ts', [`--data=${join(this.dir, 'server')}`, `--port=${this.serverPort}`, `--desks=${desks}`]);
    this.serverUrl = String(this.server.line.url);
    this.serverPort = Number(new URL(this.serverUrl).port);
    this.enrolmentCodes.push(...(this.server.line.enrolmentCodes as string[]));
  }

  async stopServer(): Promise<void> {
    await stopProc(this.server);
    this.server = null;
  }

  async startDesk(): Promise<Desk> {
    const n = ++this.deskCount;
    const code = this.enrolmentCodes.shift();
    if (!code) throw new Error('no enrolment code left');
    const { event: _e, ...urls } = this.sandbox!.line;
    // The desk's name is also its keychain service (start-desk.ts): unique per stack, so specs run
    // one after another in a worker never read each other's device credential.
    const p = await startProc('start-desk.ts', [
      `--data=${join(this.dir, `desk${n}`)}`, `--server=${this.serverUrl}`, `--enrol=${code}`, `--name=e2e-${basename(this.dir)}-${n}`,
      `--prefix=D${n}`, `--ocr=${n}`, '--poll=500',
    ], { KASSA_SANDBOX: JSON.stringify(urls) });
    this.desks.push(p);
    return { url: String(p.line.url), stop: () => stopProc(p) };
  }

  /** A payment reported to the server (the bootstrap admin route standing in for Paynova's webhook). */
  async reportPayment(orderId: string, amount: number): Promise<void> {
    const { clinicId, adminToken } = this.server!.line as { clinicId: string; adminToken: string };
    const res = await fetch(`${this.serverUrl}/v1/admin/clinics/${clinicId}/payments`, {
      method: 'POST',
      headers: { authorization: `Admin ${adminToken}`, 'content-type': 'application/json', 'x-kassa-protocol': '1' },
      body: JSON.stringify({ orderId, amount }),
    });
    if (!res.ok) throw new Error(`payment: ${res.status} ${await res.text()}`);
  }

  /**
   * The person with the BankID app: the simulator's control API, over the same mutual TLS as the
   * RP API (it refuses anyone without the relying-party certificate). Closed by the caller.
   */
  bankIdControl(): BankIdControlClient {
    const b = (this.sandbox!.line as { bankid?: { origin: string; ca: string; clientPfx: string; passphrase: string } | null }).bankid;
    if (!b) throw new Error('the BankID simulator did not start (is openssl installed?)');
    return new BankIdControlClient({ origin: b.origin, ca: b.ca, pfx: Buffer.from(b.clientPfx, 'base64'), passphrase: b.passphrase });
  }

  /** Drives the Paynova simulator's control API (credit checks, failures). */
  async paynovaControl(path: string, body: unknown): Promise<unknown> {
    const res = await fetch(`${this.sandboxUrls.paynovaUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json().catch(() => null);
  }

  async stop(): Promise<void> {
    await Promise.all(this.desks.map(stopProc));
    await stopProc(this.server);
    await stopProc(this.sandbox);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
