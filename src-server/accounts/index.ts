import type { FastifyInstance } from 'fastify';
import type { ServerDb } from '../db/connect';
import { consoleRoutes } from '../console/routes';
import { serveConsole } from '../console/static';
import { ServerBankId, type ServerBankIdOptions } from './bankid';
import { ServerGeo, type GeoOptions } from './geo';
import type { AccountsContext } from './login';
import { accountsRoutes } from './routes';
import { trackDeviceSync } from './device-sync';

export interface AccountsOptions {
  /** geoPlugin for the login country; absent = every country unknown (the policy decides). */
  readonly geo?: GeoOptions | null;
  /** The server's BankID RP connection: console BankID logins, and confirming desks' BankID logins. */
  readonly bankid?: ServerBankIdOptions | null;
  /** Behind a reverse proxy: take the client address from X-Forwarded-For. */
  readonly trustForwardedFor?: boolean;
  /** Where the built console lives (default dist/console). */
  readonly consoleRoot?: string;
}

export interface AccountsHandle {
  readonly ctx: AccountsContext;
  readonly bankid: ServerBankId | null;
}

/**
 * Accounts, login policy, activity upload and the console (issue 6) on the sync server. Called once
 * from buildServer; the desk login route (http/auth-routes.ts) delegates to deskLogin through the
 * handle it gets back.
 */
export async function registerAccounts(app: FastifyInstance, sdb: ServerDb, opts: AccountsOptions = {}): Promise<AccountsHandle> {
  const ctx: AccountsContext = { sdb, geo: new ServerGeo(opts.geo ?? null), trustForwardedFor: opts.trustForwardedFor ?? false };
  const bankid = opts.bankid ? new ServerBankId(opts.bankid) : null;
  if (bankid) app.addHook('onClose', async () => bankid.close());
  accountsRoutes(app, ctx);
  consoleRoutes(app, ctx, bankid);
  trackDeviceSync(app, sdb);
  await serveConsole(app, opts.consoleRoot);
  return { ctx, bankid };
}

/** Reads the accounts options from the environment for `npm run server` (see README.md there). */
export function accountsOptionsFromEnv(env: NodeJS.ProcessEnv): AccountsOptions {
  return {
    geo: env.KASSA_GEOPLUGIN_URL === 'off' ? null : { baseUrl: env.KASSA_GEOPLUGIN_URL || 'http://www.geoplugin.net' },
    trustForwardedFor: env.KASSA_TRUST_PROXY === '1',
  };
}
