import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createDispatcher, type ClientState, type Handlers, type Invoke } from './dispatch';
import { missingHandlers } from './missing';

export interface DesktopCoreOptions {
  /** Where the desk keeps its SQLite cache and settings (Electron: userData). */
  readonly dataDir: string;
  /** Electron's build of better-sqlite3 (packaged app only). */
  readonly nativeBinding?: string | undefined;
  readonly syncServerUrl?: string | null;
}

export interface DesktopCore {
  readonly invoke: Invoke;
  newClient(transport: ClientState['transport']): ClientState;
  close(): Promise<void>;
}

/**
 * The composition root of the desktop core: builds the store, services, sync, jobs and
 * integrations, and binds every contract call to a handler. Transports (Electron IPC, the browser
 * host) only ever see `invoke`.
 */
export async function createDesktopCore(options: DesktopCoreOptions): Promise<DesktopCore> {
  mkdirSync(options.dataDir, { recursive: true });
  const handlers: Handlers = missingHandlers((call) => `${call}: this part of the desk core has not landed yet.`);
  const invoke = createDispatcher(handlers, {
    error: (event, facts) => console.error(JSON.stringify({ level: 'error', event, ...facts })),
  });
  return {
    invoke,
    newClient: (transport) => ({ id: randomUUID(), transport, session: null }),
    async close() {},
  };
}
