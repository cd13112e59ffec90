import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ServerDb } from '../db/connect';
import { consoleRoutes } from '../console/routes';
import { serveConsole } from '../console/static';
import { ServerBankId, type ServerBankIdOptions } from './bankid';
import { ServerGeo, type GeoOptions } from './geo';
import { FailureThrottle, type AccountsContext } from './login';
import { accountsRoutes } from './routes';
import { ensureSystemAdmin } from './bootstrap';
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
  const ctx: AccountsContext = { sdb, geo: new ServerGeo(opts.geo ?? null), trustForwardedFor: opts.trustForwardedFor ?? false, throttle: new FailureThrottle(sdb) };
  const bankid = opts.bankid ? new ServerBankId(opts.bankid) : null;
  if (bankid) app.addHook('onClose', async () => bankid.close());
  accountsRoutes(app, ctx);
  consoleRoutes(app, ctx, bankid);
  trackDeviceSync(app, sdb);
  await serveConsole(app, opts.consoleRoot);
  return { ctx, bankid };
}

/**
 * `npm run server`'s accounts options from the environment:
 *  KASSA_GEOPLUGIN_URL (default http://www.geoplugin.net; "off" = every country unknown),
 *  KASSA_TRUST_PROXY=1 (take the client address from X-Forwarded-For behind a reverse proxy),
 *  KASSA_BANKID_URL + KASSA_BANKID_PFX (file) + KASSA_BANKID_PASSPHRASE + KASSA_BANKID_CA (file).
 */
export function accountsOptionsFromEnv(env: NodeJS.ProcessEnv): AccountsOptions {
  const bankid =
    env.KASSA_BANKID_URL && env.KASSA_BANKID_PFX && env.KASSA_BANKID_CA
      ? { baseUrl: env.KASSA_BANKID_URL, pfx: readFileSync(env.KASSA_BANKID_PFX), passphrase: env.KASSA_BANKID_PASSPHRASE ?? '', ca: readFileSync(env.KASSA_BANKID_CA) }
      : null;
  return {
    geo: env.KASSA_GEOPLUGIN_URL === 'off' ? null : { baseUrl: env.KASSA_GEOPLUGIN_URL || 'http://www.geoplugin.net' },
    trustForwardedFor: env.KASSA_TRUST_PROXY === '1',
    bankid,
  };
}

/**
 * The first system administrator from KASSA_SYSADMIN_USERNAME / _PASSWORD / _PIN (optionally
 * _PERSONNUMMER for BankID); must change the password at the first console login. No-op when unset
 * or when the username exists.
 */
export async function bootstrapSystemAdminFromEnv(sdb: ServerDb, env: NodeJS.ProcessEnv): Promise<void> {
  const { KASSA_SYSADMIN_USERNAME: username, KASSA_SYSADMIN_PASSWORD: password, KASSA_SYSADMIN_PIN: pin } = env;
  if (!username || !password || !pin) return;
  await ensureSystemAdmin(sdb, { username, password, pin, personnummer: env.KASSA_SYSADMIN_PERSONNUMMER || null });
}
