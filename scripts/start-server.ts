/**
 * The embedded sync server for `npm start` and the e2e tests: SQLite file, loopback only, and the
 * demo clinic from resources/demo seeded once (users, price list, clinic details) with fresh
 * enrolment codes each run. Run directly it prints one JSON line:
 *   {"event":"server","url":...,"clinicId":...,"enrolmentCodes":[...]}
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { createClinic, createUser, upsertPriceItem, UserInput, PriceItemInput } from '../src-server/admin';
import { buildServer, type KassaServer } from '../src-server/app';
import { createEnrolmentCode } from '../src-server/auth/service';
import { ensureSystemAdmin } from '../src-server/accounts/bootstrap';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const DemoFile = z.object({
  clinic: z.object({ name: z.string(), settings: z.record(z.string(), z.unknown()) }),
  users: z.array(UserInput.extend({ password: z.string(), pin: z.string() })),
  priceList: z.array(PriceItemInput),
});
export type Demo = z.infer<typeof DemoFile>;

export function readDemo(): Demo {
  return DemoFile.parse(JSON.parse(readFileSync(join(ROOT, 'resources/demo/clinic.json'), 'utf8')));
}

export interface RunningServer {
  app: KassaServer;
  url: string;
  clinicId: string;
  enrolmentCodes: string[];
  /** Per-run token of the bootstrap admin API (stands in for provider webhooks until they land). */
  adminToken: string;
  demo: Demo;
}

/**
 * The server seals per-clinic provider secrets with KASSA_SERVER_SECRET_KEY; a demo or test server
 * keeps one next to its database so a restart can still open them.
 */
function ensureServerSecretKey(dataDir: string): void {
  if (process.env.KASSA_SERVER_SECRET_KEY) return;
  const file = join(dataDir, 'server-secret.key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  process.env.KASSA_SERVER_SECRET_KEY = readFileSync(file, 'utf8').trim();
}

/**
 * Points the provider webhooks at this server: the clinic's Paynova merchant (identity and the
 * secret key that signs event hooks) is sealed on the server, and the Paynova simulator is told
 * where to post its hooks.
 */
export async function connectPaynovaSandbox(server: { url: string; clinicId: string; adminToken: string }, sandbox: { paynovaUrl: string; credentials: { merchantId: string; secretKey: string } }): Promise<void> {
  const put = await fetch(`${server.url}/v1/admin/clinics/${server.clinicId}/provider-config`, {
    method: 'PUT',
    headers: { authorization: `Admin ${server.adminToken}`, 'content-type': 'application/json', 'x-kassa-protocol': '1' },
    body: JSON.stringify({ paynova: { merchantId: sandbox.credentials.merchantId, secretKey: sandbox.credentials.secretKey } }),
  });
  if (!put.ok) throw new Error(`provider-config: ${put.status} ${await put.text()}`);
  const hook = await fetch(`${sandbox.paynovaUrl}/__control/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ merchantId: sandbox.credentials.merchantId, url: `${server.url}/v1/webhooks/paynova` }),
  });
  if (!hook.ok) throw new Error(`sandbox webhook: ${hook.status} ${await hook.text()}`);
}

/** Starts (and on first run seeds) the server; `desks` enrolment codes are issued each run. */
export async function startServer(opts: { dataDir: string; port?: number; desks?: number }): Promise<RunningServer> {
  mkdirSync(opts.dataDir, { recursive: true });
  ensureServerSecretKey(opts.dataDir);
  const adminToken = randomToken();
  const app = await buildServer({ sqliteFile: join(opts.dataDir, 'server.sqlite'), logger: false, adminToken });
  const demo = readDemo();
  const marker = join(opts.dataDir, 'seeded.json');
  let clinicId: string;
  let adminId: string;
  if (existsSync(marker)) {
    ({ clinicId, adminId } = z.object({ clinicId: z.string(), adminId: z.string() }).parse(JSON.parse(readFileSync(marker, 'utf8'))));
  } else {
    clinicId = await createClinic(app.sdb, demo.clinic);
    const ids: string[] = [];
    for (const u of demo.users) ids.push(await createUser(app.sdb, clinicId, u));
    for (const p of demo.priceList) await upsertPriceItem(app.sdb, clinicId, p);
    adminId = ids[demo.users.findIndex((u) => u.role === 'clinic_admin')] ?? ids[0]!;
    writeFileSync(marker, JSON.stringify({ clinicId, adminId }));
  }
  // The central administrator of the demo, for the console (/console/ on the sync server).
  await ensureSystemAdmin(app.sdb, { ...DEMO_SYSTEM_ADMIN, mustChange: false });
  const enrolmentCodes: string[] = [];
  for (let i = 0; i < (opts.desks ?? 1); i++) enrolmentCodes.push(await createEnrolmentCode(app.sdb, clinicId, adminId));
  const url = await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
  return { app, url, clinicId, enrolmentCodes, adminToken, demo };
}

export const DEMO_SYSTEM_ADMIN = { username: 'admin', password: 'demo-admin-2026', pin: '2026', displayName: 'Systemadministratör (demo)' } as const;

export const randomToken = () => randomBytes(24).toString('base64url');

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
  const s = await startServer({ dataDir: resolve(args.get('data') ?? '.kassa-data/server'), port: Number(args.get('port') ?? 0), desks: Number(args.get('desks') ?? 1) });
    // A test/dev harness: the admin token is handed to the process that started this one, nowhere else.
  process.stdout.write(`${JSON.stringify({ event: 'server', url: s.url, clinicId: s.clinicId, enrolmentCodes: s.enrolmentCodes, adminToken: s.adminToken })}\n`);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void s.app.close().then(() => process.exit(0)));
}
