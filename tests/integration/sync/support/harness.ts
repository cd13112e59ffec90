import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer, type KassaServer, type ServerOptions } from '../../../../src-server/app';
import { openServerDb, type ServerDb } from '../../../../src-server/db/connect';
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../../../src-shared/sync/protocol';
import { openLocalStore, type LocalStore } from '../../../../src-main/db/open';
import { SecretStore } from '../../../../src-main/secrets/secret-store';
import type { Actor } from '../../../../src-main/services/actor';
import { SyncEngine, type DeviceSecrets, type SyncEngineOptions } from '../../../../src-main/sync/engine';
import { receiptEntries } from '../../../../src-server/sync/receipts';
import { createTestDatabase, type TestDatabase } from '../../../support/pg';

export type DbKind = 'sqlite' | 'postgres';
export const DB_KINDS: DbKind[] = ['sqlite', 'postgres'];
export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const PASSWORD = 'correct horse battery';
export const PIN = '4711';

/** A fresh database of the given kind: a temp SQLite file, or a new PostgreSQL database. */
export interface TestBackend {
  readonly kind: DbKind;
  readonly dir: string;
  readonly options: Pick<ServerOptions, 'databaseUrl' | 'sqliteFile'>;
  /** The same database as environment for a server child process. */
  readonly env: Record<string, string>;
  dispose(): Promise<void>;
}

export async function createBackend(kind: DbKind): Promise<TestBackend> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-sync-'));
  let pgdb: TestDatabase | null = null;
  if (kind === 'postgres') pgdb = await createTestDatabase();
  const sqliteFile = join(dir, 'server.sqlite');
  return {
    kind,
    dir,
    options: pgdb ? { databaseUrl: pgdb.url } : { sqliteFile },
    env: pgdb ? { DATABASE_URL: pgdb.url } : { KASSA_SERVER_DB: sqliteFile },
    async dispose() {
      await pgdb?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A migrated server database of the given kind, opened in this process without an HTTP server. */
export async function openBackendDb(kind: DbKind): Promise<{ sdb: ServerDb; close(): Promise<void> }> {
  const backend = await createBackend(kind);
  try {
    const sdb = await openServerDb(backend.options);
    return {
      sdb,
      async close() {
        await sdb.close();
        await backend.dispose();
      },
    };
  } catch (e) {
    await backend.dispose();
    throw e;
  }
}

export interface RunningServer {
  readonly app: KassaServer;
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startServer(backend: TestBackend, extra: Partial<ServerOptions> = {}, port = 0): Promise<RunningServer> {
  const app = await buildServer({ ...backend.options, adminToken: ADMIN_TOKEN, ...extra });
  const address = await app.listen({ port, host: '127.0.0.1' });
  const actual = Number(new URL(address).port);
  return { app, url: address, port: actual, close: () => app.close() };
}

export const protocolHeaders = { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) };

export async function api<T = unknown>(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...protocolHeaders, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // keep the text
  }
  return { status: res.status, body: parsed as T };
}

const admin = { authorization: `Admin ${ADMIN_TOKEN}` };

export interface TestClinic {
  readonly clinicId: string;
  readonly userId: string;
  readonly username: string;
  readonly priceItemId: string;
}

/** A clinic with one staff user and one price item, through the bootstrap admin API. */
export async function createClinic(url: string, name = 'Tandvården Test'): Promise<TestClinic> {
  const c = await api<{ clinicId: string }>(url, 'POST', '/v1/admin/clinics', { name, settings: { invoiceTermDays: 14 } }, admin);
  if (c.status !== 200) throw new Error(`create clinic: ${JSON.stringify(c.body)}`);
  const username = `staff.${randomUUID().slice(0, 8)}`;
  const u = await api<{ userId: string }>(url, 'POST', `/v1/admin/clinics/${c.body.clinicId}/users`, { username, displayName: 'Anna Andersson', role: 'staff', password: PASSWORD, pin: PIN }, admin);
  if (u.status !== 200) throw new Error(`create user: ${JSON.stringify(u.body)}`);
  const p = await api<{ id: string }>(url, 'POST', `/v1/admin/clinics/${c.body.clinicId}/price-items`, { code: 'U1', name: 'Undersökning', unitPrice: 95_000, vatCode: 'exempt' }, admin);
  if (p.status !== 200) throw new Error(`create price item: ${JSON.stringify(p.body)}`);
  return { clinicId: c.body.clinicId, userId: u.body.userId, username, priceItemId: p.body.id };
}

export async function enrolmentCode(url: string, clinicId: string): Promise<string> {
  const r = await api<{ code: string }>(url, 'POST', `/v1/admin/clinics/${clinicId}/enrolment-codes`, {}, admin);
  if (r.status !== 200) throw new Error(`enrolment code: ${JSON.stringify(r.body)}`);
  return r.body.code;
}

export async function recordPayment(url: string, clinicId: string, orderId: string, amount: number) {
  return api<{ applied: boolean; message: string }>(url, 'POST', `/v1/admin/clinics/${clinicId}/payments`, { orderId, amount }, admin);
}

/**
 * The device credential goes to the OS keychain through the real SecretStore when a Secret
 * Service is running (scripts/with-keyring.sh); without one (a bare `vitest run`), a process-local
 * map stands in so the sync paths are still exercised.
 */
let keyringWorks: boolean | null = null;
export async function deskSecrets(): Promise<DeviceSecrets & { kind: 'keychain' | 'memory' }> {
  if (keyringWorks !== false) {
    const store = new SecretStore(`kassa-test-${randomUUID()}`);
    try {
      await store.set('device.credential', 'probe-value-123456');
      keyringWorks = (await store.get('device.credential')) === 'probe-value-123456';
      if (keyringWorks) return Object.assign(store, { kind: 'keychain' as const });
    } catch {
      keyringWorks = false;
    }
  }
  const m = new Map<string, string>();
  return {
    kind: 'memory',
    get: async (name) => m.get(name) ?? null,
    set: async (name, value) => {
      m.set(name, value);
    },
  };
}

export interface Desk {
  readonly file: string;
  readonly store: LocalStore;
  readonly engine: SyncEngine;
  readonly actor: Actor;
  readonly secrets: DeviceSecrets;
  close(): Promise<void>;
}

/** A real desk core: its own SQLite file, enrolled with a one-time code, ready to sync. */
export async function enrolDesk(serverUrl: string, clinic: TestClinic, dir: string, name: string, engineOpts: Partial<SyncEngineOptions> = {}): Promise<Desk> {
  const file = join(dir, `${name}-${randomUUID().slice(0, 6)}.sqlite`);
  const store = await openLocalStore(file);
  const secrets = await deskSecrets();
  const engine = new SyncEngine({ store, serverUrl, secrets, live: false, backoffBaseMs: 50, backoffMaxMs: 500, ...engineOpts });
  const code = await enrolmentCode(serverUrl, clinic.clinicId);
  const { deviceId } = await engine.enrol(code, name);
  const actor: Actor = { userId: clinic.userId, clinicId: clinic.clinicId, role: 'staff', deviceId };
  return {
    file, store, engine, actor, secrets,
    async close() {
      await engine.stop();
      await store.close();
    },
  };
}

/** Reopens an existing desk file (a restart): new store, new engine, same keychain entry. */
export async function reopenDesk(desk: Pick<Desk, 'file' | 'secrets' | 'actor'>, serverUrl: string, engineOpts: Partial<SyncEngineOptions> = {}): Promise<Desk> {
  const store = await openLocalStore(desk.file);
  const engine = new SyncEngine({ store, serverUrl, secrets: desk.secrets, live: false, backoffBaseMs: 50, backoffMaxMs: 500, ...engineOpts });
  return {
    file: desk.file, store, engine, actor: desk.actor, secrets: desk.secrets,
    async close() {
      await engine.stop();
      await store.close();
    },
  };
}

let pnCounter = Math.floor(Math.random() * 1_000_000);
/** A valid personnummer, different on every call within a run (Luhn computed). */
export function personnummer(): string {
  pnCounter += 1;
  const c = pnCounter;
  const day = 1 + (c % 28);
  const month = 1 + (Math.floor(c / 28) % 12);
  const year = 1940 + (Math.floor(c / 336) % 60);
  const serial = 100 + (Math.floor(c / 20_160) % 899);
  const date = `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
  const base = date.slice(2) + String(serial);
  let sum = 0;
  for (let i = 0; i < 9; i += 1) {
    let d = Number(base[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return `${date}${serial}${(10 - (sum % 10)) % 10}`;
}

export function patientInput(id = randomUUID()) {
  return { id, personnummer: personnummer(), firstName: 'Sven', lastName: 'Ström', phone: '+46701234567', language: 'sv' };
}

export function orderInput(patientId: string, priceItemId: string | null = null, id = randomUUID()) {
  return {
    id,
    orderNumber: `K${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`,
    patientId,
    clinician: 'Dr Berg',
    lines: [{ id: randomUUID(), priceItemId, code: 'U1', description: 'Undersökning', quantity: 1, unitPrice: 95_000, vatCode: 'exempt' }],
  };
}

/** Polls until `check` is true (used for things that happen asynchronously, never for timings). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`Timed out waiting for: ${what}`);
}

export function serverEntities(app: KassaServer, clinicId: string, entity: string) {
  return app.sdb.db.selectFrom('entity_docs').selectAll().where('clinic_id', '=', clinicId).where('entity', '=', entity).execute();
}

/** Every (device, seq) the server recorded for a clinic or a device, from its push receipts. */
export async function recordedSeqs(app: KassaServer, where: { clinicId: string } | { deviceId: string }) {
  let q = app.sdb.db.selectFrom('push_receipts').selectAll();
  q = 'clinicId' in where ? q.where('clinic_id', '=', where.clinicId) : q.where('device_id', '=', where.deviceId);
  const rows = await q.execute();
  return rows.flatMap((r) => receiptEntries(r).map(([seq, e]) => ({ deviceId: r.device_id, seq, status: e.code ? 'rejected' : 'applied' })));
}

export interface TwoDesks {
  backend: TestBackend;
  server: RunningServer;
  clinic: TestClinic;
  a: Desk;
  b: Desk;
}

/** The usual stage of a sync test: a fresh server and database, one clinic, desks A and B enrolled. */
export async function startTwoDesks(kind: DbKind, deskB: Partial<SyncEngineOptions> = {}): Promise<TwoDesks> {
  const backend = await createBackend(kind);
  const server = await startServer(backend);
  const clinic = await createClinic(server.url);
  const a = await enrolDesk(server.url, clinic, backend.dir, 'desk-a');
  const b = await enrolDesk(server.url, clinic, backend.dir, 'desk-b', deskB);
  return { backend, server, clinic, a, b };
}

/** Tears down what startTwoDesks built, tolerating a stage that failed half-way. */
export async function stopTwoDesks(t: Partial<TwoDesks>): Promise<void> {
  await t.a?.close();
  await t.b?.close();
  await t.server?.close();
  await t.backend?.dispose();
}
