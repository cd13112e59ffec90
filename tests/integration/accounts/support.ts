import { randomUUID } from 'node:crypto';
import { deviceAuthorization, type Change, type PullPage, type PushResponse, type SessionTokens } from '../../../src-shared/sync/protocol';
import type { AccountsOptions } from '../../../src-server/accounts';
import { ensureSystemAdmin } from '../../../src-server/accounts/bootstrap';
import type { ConsoleSession } from '../../../src-shared/schemas/console';
import {
  api, createBackend, createClinic, enrolmentCode, personnummer, PASSWORD, PIN, startServer, type DbKind, type RunningServer, type TestBackend, type TestClinic,
} from '../sync/support/harness';

export { api, PASSWORD, PIN, personnummer };
export const SYSADMIN = { username: 'sys.admin', password: 'system admin password 1', pin: '246810', personnummer: '198112189876' };

export interface Device {
  readonly id: string;
  readonly clinicId: string;
  readonly header: string;
  seq: number;
}

/** One server on a fresh database with a system administrator, plus helpers to act on it over HTTP. */
export class World {
  private constructor(
    readonly backend: TestBackend,
    readonly server: RunningServer,
    readonly sysadminId: string,
  ) {}

  static async start(kind: DbKind, accounts: AccountsOptions = {}): Promise<World> {
    const backend = await createBackend(kind);
    const server = await startServer(backend, { accounts: { trustForwardedFor: true, ...accounts } });
    const { userId } = await ensureSystemAdmin(server.app.sdb, { ...SYSADMIN, displayName: 'Sara Systemsson', mustChange: false });
    return new World(backend, server, userId);
  }

  get url(): string {
    return this.server.url;
  }

  get sdb() {
    return this.server.app.sdb;
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.backend.dispose();
  }

  clinic(name = `Klinik ${randomUUID().slice(0, 4)}`): Promise<TestClinic> {
    return createClinic(this.url, name);
  }

  async enrol(clinicId: string): Promise<Device> {
    const code = await enrolmentCode(this.url, clinicId);
    const r = await api<{ deviceId: string; deviceCredential: string }>(this.url, 'POST', '/v1/enrol', { code, deviceName: 'Reception' });
    if (r.status !== 200) throw new Error(`enrol: ${JSON.stringify(r.body)}`);
    return { id: r.body.deviceId, clinicId, header: deviceAuthorization(r.body.deviceId, r.body.deviceCredential), seq: 0 };
  }

  deskLogin(dev: Device, body: Record<string, unknown>, ip?: string) {
    return api<SessionTokens & { error?: string; message?: string; field?: string }>(this.url, 'POST', '/v1/auth/login', body, { 'x-kassa-device': dev.header, ...(ip ? { 'x-forwarded-for': ip } : {}) });
  }

  async deskToken(dev: Device, username: string, password = PASSWORD, pin = PIN): Promise<string> {
    const r = await this.deskLogin(dev, { method: 'password', username, password, pin });
    if (r.status !== 200) throw new Error(`desk login ${username}: ${JSON.stringify(r.body)}`);
    return r.body.accessToken;
  }

  consoleLogin(username = SYSADMIN.username, password = SYSADMIN.password, pin = SYSADMIN.pin, ip?: string) {
    return api<ConsoleSession & { error?: string; message?: string }>(this.url, 'POST', '/console/api/login', { username, password, pin }, ip ? { 'x-forwarded-for': ip } : {});
  }

  async consoleToken(): Promise<string> {
    const r = await this.consoleLogin();
    if (r.status !== 200) throw new Error(`console login: ${JSON.stringify(r.body)}`);
    return r.body.token;
  }

  /** A console call with a bearer token (no protocol header needed, but harmless). */
  con<T = Record<string, unknown>>(token: string, method: string, path: string, body?: unknown) {
    return api<T & { error?: string; message?: string; field?: string }>(this.url, method, `/console/api${path}`, body, { authorization: `Bearer ${token}` });
  }

  /** A desk-session call to the accounts API. */
  desk<T = Record<string, unknown>>(token: string, method: string, path: string, body?: unknown) {
    return api<T & { error?: string; message?: string; field?: string }>(this.url, method, path, body, { authorization: `Bearer ${token}` });
  }

  async push(dev: Device, name: string, payload: unknown, actorUserId: string) {
    dev.seq += 1;
    const m = { mutationId: randomUUID(), deviceId: dev.id, seq: dev.seq, name, actorUserId, payload, clientTime: new Date().toISOString() };
    const r = await api<PushResponse>(this.url, 'POST', '/v1/sync/push', { mutations: [m] }, { authorization: dev.header });
    if (r.status !== 200 || r.body.results[0]?.status !== 'applied') throw new Error(`push ${name}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async pullAll(dev: Device, cursor = 0): Promise<Change[]> {
    const out: Change[] = [];
    for (;;) {
      const r = await api<PullPage>(this.url, 'GET', `/v1/sync/pull?cursor=${cursor}&limit=500`, undefined, { authorization: dev.header });
      if (r.status !== 200) throw new Error(`pull: ${JSON.stringify(r.body)}`);
      out.push(...r.body.changes);
      cursor = r.body.nextCursor;
      if (!r.body.hasMore) return out;
    }
  }

  /** The newest state of each entity of a kind, as a desk would hold it after pulling everything. */
  async feedState(dev: Device, entity: string): Promise<Map<string, Record<string, unknown>>> {
    const m = new Map<string, Record<string, unknown>>();
    for (const c of await this.pullAll(dev)) if (c.entity === entity && c.data) m.set(c.entityId, c.data);
    return m;
  }

  /** Creates an account through the console API (as the system administrator). */
  async createUser(token: string, input: Record<string, unknown>): Promise<string> {
    const r = await this.con<{ user: { id: string } }>(token, 'POST', '/users', { language: 'sv', password: PASSWORD, pin: PIN, personnummer: null, ...input });
    if (r.status !== 200) throw new Error(`create user: ${JSON.stringify(r.body)}`);
    return r.body.user.id;
  }

  /** Finishes a first login: replaces the temporary password and PIN. */
  async firstChange(dev: Device, username: string, newPassword = 'a brand new password', newPin = '135790') {
    return api<{ ok?: boolean; error?: string; field?: string }>(this.url, 'POST', '/v1/auth/password', { username, password: PASSWORD, pin: PIN, newPassword, newPin }, { 'x-kassa-device': dev.header });
  }
}
