import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { PROTOCOL_VERSION } from '../src-shared/sync/protocol';
import { registerAccounts, type AccountsOptions } from './accounts';
import { defaultRegistry } from './commands';
import type { CommandRegistry } from './commands/registry';
import { consoleProjector } from './console/projector';
import { openServerDb, type ServerDb } from './db/connect';
import { adminRoutes } from './http/admin-routes';
import { authRoutes } from './http/auth-routes';
import { installErrorHandler } from './http/errors';
import { syncRoutes } from './http/sync-routes';
import { registerWebhooks } from './webhooks';
import type { PushHooks } from './sync/push';

export interface ServerOptions {
  /** postgres://… selects PostgreSQL; otherwise the SQLite file `sqliteFile` is used. */
  readonly databaseUrl?: string | undefined;
  readonly sqliteFile?: string | undefined;
  /** Enables the bootstrap admin API (until the accounts issue). */
  readonly adminToken?: string | undefined;
  readonly logger?: FastifyServerOptions['logger'];
  readonly registry?: CommandRegistry;
  readonly pushHooks?: PushHooks;
  /** Accounts, login policy and the console (issue 6): geoPlugin, BankID, proxy trust. */
  readonly accounts?: AccountsOptions;
}

export type KassaServer = FastifyInstance & { readonly sdb: ServerDb };

/**
 * Builds the sync server (migrated database, routes) without listening, so `npm run server`, the
 * desk's `npm start` and the tests all embed the same thing. Closing the instance closes the DB.
 */
export async function buildServer(opts: ServerOptions = {}): Promise<KassaServer> {
  const sdb = await openServerDb({ databaseUrl: opts.databaseUrl, sqliteFile: opts.sqliteFile });
  const app = Fastify({
    logger: opts.logger ?? false,
    // Small by default: only the push route accepts large bodies (its own limit).
    bodyLimit: 64 * 1024,
    // Hostile JSON: __proto__ / constructor.prototype keys are refused, not merged.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: 200 },
    requestTimeout: 120_000,
  });
  app.decorate('sdb', sdb);
  app.addHook('onClose', async () => {
    // Background work on the database ends before it closes.
    await consoleProjector(sdb).stop();
    await sdb.close();
  });
  installErrorHandler(app);
  // JSON only: a text body would reach the handlers as a string and be refused less clearly.
  app.removeContentTypeParser('text/plain');

  app.get('/health', async () => ({ status: 'ok', database: sdb.kind, protocol: PROTOCOL_VERSION }));
  authRoutes(app, sdb, await registerAccounts(app, sdb, opts.accounts));
  syncRoutes(app, sdb, opts.registry ?? defaultRegistry(), opts.pushHooks ?? {});
  adminRoutes(app, sdb, opts.adminToken);
  await registerWebhooks(app, sdb, { adminToken: opts.adminToken });
  return app as unknown as KassaServer;
}
