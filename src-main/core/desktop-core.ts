import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openLocalStore } from '../db/open';
import { startProviderJobs, type RunningProviderJobs } from '../jobs/provider-runner';
import { SecretStore } from '../secrets/secret-store';
import { SettingsStore } from '../secrets/settings-store';
import { SyncEngine } from '../sync/engine';
import type { CoreDeps } from './deps';
import { createDispatcher, type ClientState, type Handlers, type Invoke } from './dispatch';
import { authHandlers } from './handlers/auth';
import { noticeHandlers } from './handlers/notices';
import { orderHandlers } from './handlers/orders';
import { patientHandlers } from './handlers/patients';
import { settingsHandlers } from './handlers/settings';
import { syncHandlers } from './handlers/sync';
import { userHandlers } from './handlers/users';
import { UserPrefs } from './prefs';

export interface DesktopCoreOptions {
  /** Where the desk keeps its SQLite cache and settings (Electron: userData). */
  readonly dataDir: string;
  /** Electron's build of better-sqlite3 (packaged app only). */
  readonly nativeBinding?: string | undefined;
  readonly syncServerUrl?: string | null;
  /** First run: enrol this desk with a one-time code from the server. */
  readonly enrolment?: { code: string; deviceName: string } | null;
  /** The invoice series this desk issues from (assigned centrally at enrolment). */
  readonly invoiceSeries?: { prefix: string; ocrCode: number } | null;
  /** Keychain service name; tests and parallel desks use their own. */
  readonly keychainService?: string;
  /**
   * Point the provider clients at the simulators (and say so in Settings). BankID's simulator URL
   * and CA go to the settings; its relying-party certificate goes to the keychain (the caller).
   */
  readonly sandbox?: { paynovaUrl: string; twilioUrl: string; geopluginUrl: string; bankid?: { url: string; ca: string } | undefined } | null;
  readonly paymentLinkBase?: string;
  /** Faster loops for tests and benchmarks. */
  readonly pollMs?: number;
  readonly log?: (event: string, facts: Record<string, string | number | boolean | null>) => void;
}

export interface DesktopCore {
  readonly invoke: Invoke;
  readonly deps: CoreDeps;
  newClient(transport: ClientState['transport']): ClientState;
  close(): Promise<void>;
}

/**
 * The composition root of the desktop core: opens the store, the keychain and the settings,
 * enrols and starts sync, starts the provider job runner, and binds every contract call to a
 * handler. Transports (Electron IPC, the browser host) only ever see `invoke`.
 */
export async function createDesktopCore(options: DesktopCoreOptions): Promise<DesktopCore> {
  mkdirSync(options.dataDir, { recursive: true });
  const log = options.log ?? ((event, facts) => console.error(JSON.stringify({ level: 'error', event, ...facts })));
  const store = await openLocalStore(join(options.dataDir, 'desk.sqlite'), options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  const secrets = new SecretStore(options.keychainService);
  const settings = new SettingsStore({ cwd: options.dataDir });
  if (options.sandbox) {
    const { bankid } = options.sandbox;
    const r = settings.update({
      paynova: { baseUrl: options.sandbox.paynovaUrl }, twilio: { baseUrl: options.sandbox.twilioUrl, senderId: 'Kassa' }, geoplugin: { baseUrl: options.sandbox.geopluginUrl },
      polling: { jobPollMs: options.pollMs ?? 1000, reconcileIntervalMs: 5000 },
      ...(bankid ? { bankid: { baseUrl: bankid.url, caPem: bankid.ca } } : {}),
    });
    if (!r.ok) log('core.sandbox_settings', { message: r.error.message });
  }
  const serverUrl = options.syncServerUrl?.replace(/\/$/, '') ?? null;
  const pollMs = options.pollMs ?? 2000;

  let sync: SyncEngine | null = null;
  if (serverUrl) {
    sync = new SyncEngine({
      store, serverUrl, pollMs: Math.max(pollMs, 1000), backoffBaseMs: 250, backoffMaxMs: 4000,
      secrets: { get: (n) => secrets.get(n), set: (n, v) => secrets.set(n, v) },
    });
    if (!sync.identity().deviceId && options.enrolment) {
      try {
        await sync.enrol(options.enrolment.code, options.enrolment.deviceName);
      } catch (e) {
        log('core.enrol_failed', { message: e instanceof Error ? e.message : String(e) });
      }
    }
    sync.start();
  }

  const identity = sync?.identity() ?? { deviceId: null, clinicId: null };
  // Recovers interrupted jobs, runs the queue, reconciles open Paynova orders and polls SMS status
  // (status callbacks go to the sync server; polling is the desk's fallback).
  let providers: RunningProviderJobs | null = null;
  if (identity.deviceId && identity.clinicId) {
    providers = await startProviderJobs({
      db: store.db, secrets, settings: settings.readOrDefaults(), chainId: identity.deviceId, clinicId: identity.clinicId,
      onError: (e) => log('core.provider_jobs', { message: e instanceof Error ? e.message : String(e) }),
    });
  }

  const deps: CoreDeps = {
    store, secrets, settings, sync, serverUrl, providers,
    prefs: new UserPrefs(options.dataDir),
    providersMode: options.sandbox ? 'sandbox' : 'live',
    // SMS links must be https (the template guard); the simulators have no payment page to link to.
    paymentLinkBase: options.paymentLinkBase ?? 'https://pay.paynova.com/kassa',
    afterWrite() {
      sync?.requestSync();
      void providers?.runner.runDue().catch(() => undefined);
    },
  };

  const auth = authHandlers(deps, { series: options.invoiceSeries ?? null, log, ...(options.pollMs ? { bankidCollectMs: Math.min(options.pollMs, 2000) } : {}) });
  const handlers: Handlers = {
    ...auth.handlers,
    ...patientHandlers(deps),
    ...orderHandlers(deps),
    ...syncHandlers(deps),
    ...settingsHandlers(deps),
    ...userHandlers(deps),
    ...noticeHandlers(deps),
  };
  const invoke = createDispatcher(handlers, { error: log });
  return {
    invoke,
    deps,
    newClient: (transport) => ({ id: randomUUID(), transport, session: null }),
    async close() {
      auth.bankid.close();
      await providers?.stop();
      await sync?.stop();
      await store.close();
    },
  };
}
