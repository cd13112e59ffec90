/**
 * One desk in the browser host: the real desktop core (SQLite, sync, jobs, keychain) behind the
 * loopback WebSocket, serving dist/desk. Run directly it prints one JSON line:
 *   {"event":"desk","url":"http://127.0.0.1:PORT/#token=…"}
 * The URL carries the per-run token in its fragment; it is printed for the person starting the
 * desk and never logged anywhere else.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDesktopCore, type DesktopCore } from '../src-main/core/desktop-core';
import { startBrowserHost, type BrowserHost } from '../src-main/host/browser-host';
import { SecretStore } from '../src-main/secrets/secret-store';
import { ROOT } from './start-server';

export interface SandboxUrls {
  paynovaUrl: string;
  twilioUrl: string;
  geopluginUrl: string;
  /** Demo credentials the simulators accept; written to this desk's own keychain entries. */
  credentials: { merchantId: string; apiPassword: string; secretKey: string; accountSid: string; authToken: string };
  /** The BankID simulator (mutual TLS): its CA and relying-party certificate (PKCS#12, base64). */
  bankid?: { url: string; origin: string; ca: string; clientPfx: string; passphrase: string } | null;
}

export interface RunningDesk {
  core: DesktopCore;
  host: BrowserHost;
  close(): Promise<void>;
}

export async function startDesk(opts: {
  dataDir: string;
  serverUrl: string;
  enrolmentCode: string | null;
  deskName: string;
  series: { prefix: string; ocrCode: number };
  sandbox: SandboxUrls | null;
  port?: number;
  pollMs?: number;
  keychainService?: string;
}): Promise<RunningDesk> {
  const staticDir = join(ROOT, 'dist/desk');
  if (!existsSync(join(staticDir, 'index.html'))) throw new Error('The desk is not built: run `npm run build` first.');
  // Sandbox desks keep their demo credentials (and device credential) apart from a real "Kassa" entry.
  const keychainService = opts.keychainService ?? (opts.sandbox ? `Kassa Sandbox ${opts.deskName}` : 'Kassa');
  if (opts.sandbox) {
    const secrets = new SecretStore(keychainService);
    const c = opts.sandbox.credentials;
    await secrets.set('paynova.merchantId', c.merchantId);
    await secrets.set('paynova.apiPassword', c.apiPassword);
    await secrets.set('paynova.secretKey', c.secretKey);
    await secrets.set('twilio.accountSid', c.accountSid);
    await secrets.set('twilio.authToken', c.authToken);
    if (opts.sandbox.bankid) {
      await secrets.set('bankid.p12', opts.sandbox.bankid.clientPfx);
      await secrets.set('bankid.passphrase', opts.sandbox.bankid.passphrase);
    }
  }
  const core = await createDesktopCore({
    dataDir: opts.dataDir,
    syncServerUrl: opts.serverUrl,
    enrolment: opts.enrolmentCode ? { code: opts.enrolmentCode, deviceName: opts.deskName } : null,
    invoiceSeries: opts.series,
    keychainService,
    sandbox: opts.sandbox && { ...opts.sandbox, bankid: opts.sandbox.bankid ? { url: opts.sandbox.bankid.url, ca: opts.sandbox.bankid.ca } : undefined },
    ...(opts.pollMs ? { pollMs: opts.pollMs } : {}),
  });
  const host = await startBrowserHost({ invoke: core.invoke, staticDir, ...(opts.port ? { port: opts.port } : {}) });
  return {
    core,
    host,
    async close() {
      await host.close();
      await core.close();
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split(/=(.*)/s) as [string, string]));
  const need = (k: string) => {
    const v = args.get(k);
    if (!v) throw new Error(`--${k}=… is required`);
    return v;
  };
  // KASSA_SANDBOX rather than --sandbox when it holds certificates: argv shows in process listings.
  const sandboxJson = args.get('sandbox') ?? process.env.KASSA_SANDBOX;
  const sandbox = sandboxJson ? (JSON.parse(sandboxJson) as SandboxUrls) : null;
  const desk = await startDesk({
    dataDir: resolve(need('data')),
    serverUrl: need('server'),
    enrolmentCode: args.get('enrol') ?? null,
    deskName: args.get('name') ?? 'desk',
    series: { prefix: args.get('prefix') ?? 'A', ocrCode: Number(args.get('ocr') ?? 1) },
    sandbox,
    ...(args.get('poll') ? { pollMs: Number(args.get('poll')) } : {}),
  });
  process.stdout.write(`${JSON.stringify({ event: 'desk', url: desk.host.url })}\n`);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void desk.close().then(() => process.exit(0)));
}
