import type { FastifyRequest } from 'fastify';
import { countryDecision, lockSeconds, type CountryDecision, type SecretChange, type ServiceSettings } from '../../src-shared/schemas/accounts';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../auth/crypto';
import type { ServerDb } from '../db/connect';
import { appendServerActivity } from './activity';
import { refuse } from './errors';
import type { ServerGeo } from './geo';
import { accountsDb, type AccountsExecutor } from './schema';
import { loadServiceSettings } from './settings';
import { changeUser, revokeUserSessions, type UserRow } from './users';

export interface AccountsContext {
  readonly sdb: ServerDb;
  readonly geo: ServerGeo;
  /** Behind a reverse proxy, the client's address is the first X-Forwarded-For entry. */
  readonly trustForwardedFor: boolean;
  readonly throttle: FailureThrottle;
}

const MINUTE_MS = 60_000;

/**
 * Failed logins per client address, counted in the database (`login_failures`, one row per
 * address and minute) so that every server instance on the same database sees the same count and
 * a restart forgets nothing. Lockout protects each account; this stops one address from trying a
 * password against many usernames. The window is the current minute and the `windowMinutes - 1`
 * before it. The check and the count are separate statements, so parallel guesses can overshoot
 * the limit by the number in flight, never more.
 */
export class FailureThrottle {
  private lastPrune = 0;

  constructor(
    private readonly sdb: ServerDb,
    readonly limit = 30,
    readonly windowMinutes = 10,
  ) {}

  async blocked(ip: string, now = Date.now()): Promise<boolean> {
    const minute = Math.floor(now / MINUTE_MS);
    const r = await accountsDb(this.sdb.db)
      .selectFrom('login_failures')
      .select((eb) => eb.fn.sum<number | string | null>('failures').as('n'))
      .where('address', '=', ip)
      .where('minute', '>', minute - this.windowMinutes)
      .executeTakeFirst();
    // PostgreSQL's sum(integer) is bigint, SQLite's an integer; either may be null for no rows.
    return Number(r?.n ?? 0) >= this.limit;
  }

  async fail(ip: string, now = Date.now()): Promise<void> {
    const minute = Math.floor(now / MINUTE_MS);
    const db = accountsDb(this.sdb.db);
    // One atomic upsert: parallel failures from two instances both count.
    await db
      .insertInto('login_failures')
      .values({ address: ip, minute, failures: 1 })
      .onConflict((oc) => oc.columns(['address', 'minute']).doUpdateSet((eb) => ({ failures: eb('login_failures.failures', '+', 1) })))
      .execute();
    // Rows older than the window count for nothing: each instance clears them at most once a minute.
    if (now - this.lastPrune >= MINUTE_MS) {
      this.lastPrune = now;
      await db.deleteFrom('login_failures').where('minute', '<=', minute - this.windowMinutes).execute();
    }
  }
}

export interface Origin {
  readonly ip: string;
  readonly surface: 'desk' | 'console';
  readonly deviceId: string | null;
}

export function clientIp(ctx: AccountsContext, request: FastifyRequest): string {
  if (ctx.trustForwardedFor) {
    const xff = request.headers['x-forwarded-for'];
    const first = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim();
    if (first && first.length <= 64) return first;
  }
  return request.ip;
}

export interface Located {
  readonly decision: CountryDecision;
  readonly lookup: string;
}

/** The country of a login's address and what the policy says about it. */
export async function locate(ctx: AccountsContext, ip: string, settings: ServiceSettings): Promise<Located> {
  const answer = await ctx.geo.countryOf(ip);
  return { decision: countryDecision(settings.countries, answer.country), lookup: 'source' in answer ? answer.source : answer.reason };
}

const iso = (ms: number) => new Date(ms).toISOString();

async function refusedRecord(ctx: AccountsContext, origin: Origin, user: UserRow | undefined, why: string, extra: Record<string, string | boolean | null> = {}, country: string | null = null): Promise<void> {
  await appendServerActivity(ctx.sdb, {
    clinicId: user?.clinic_id ?? 'service', actorUserId: user?.id ?? null, action: 'auth.login', subject: user ? `user:${user.id}` : null, outcome: 'refused',
    country, ip: origin.ip, details: { why, surface: origin.surface, device: origin.deviceId, ...extra },
  });
}

/**
 * Checks a username, password and PIN with lockout: wrong passwords and wrong PINs are counted
 * separately; from `maxFailures` in a row the secret is locked for a time that doubles with each
 * further failure (LockoutPolicy). A locked secret is refused without being checked, so guessing
 * during the lock teaches nothing. Unknown users cost the same scrypt work as known ones.
 */
export async function checkCredentials(
  ctx: AccountsContext,
  settings: ServiceSettings,
  origin: Origin,
  input: { username: string; password: string; pin: string },
): Promise<UserRow> {
  const db = accountsDb(ctx.sdb.db);
  if (await ctx.throttle.blocked(origin.ip)) {
    await refusedRecord(ctx, origin, undefined, 'address_throttled', { username: input.username.slice(0, 40) });
    throw refuse(429, 'too_many_attempts', 'Too many failed logins from this address. Wait a few minutes and try again.');
  }
  const user = await db.selectFrom('users').selectAll().where('username', '=', input.username).executeTakeFirst();
  const now = new Date().toISOString();
  const lockedUntil = [user?.password_locked_until, user?.pin_locked_until].filter((l): l is string => !!l && l > now).sort().pop();
  if (user && lockedUntil) {
    await refusedRecord(ctx, origin, user, 'locked');
    const which = user.password_locked_until && user.password_locked_until > now ? 'password' : 'pin';
    throw refuse(423, 'locked_out', `Too many wrong attempts: logging in as ${user.username} is locked until ${lockedUntil}. Try again later or ask an administrator to reset the ${which === 'password' ? 'password' : 'PIN'}.`, which);
  }
  const passwordOk = await verifyPassword(input.password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
  const pinOk = await verifyPassword(input.pin, user?.pin_hash ?? DUMMY_PASSWORD_HASH);
  if (!user || !passwordOk || !pinOk) {
    await ctx.throttle.fail(origin.ip);
    if (user) {
      const t = Date.now();
      // Atomic increments: two parallel guesses both count.
      if (!passwordOk) {
        const r = await db.updateTable('users').set((eb) => ({ password_failures: eb('password_failures', '+', 1) })).where('id', '=', user.id).returning('password_failures').executeTakeFirstOrThrow();
        const secs = lockSeconds(settings.lockout, Number(r.password_failures));
        if (secs > 0) await db.updateTable('users').set({ password_locked_until: iso(t + secs * 1000) }).where('id', '=', user.id).execute();
      }
      if (!pinOk) {
        const r = await db.updateTable('users').set((eb) => ({ pin_failures: eb('pin_failures', '+', 1) })).where('id', '=', user.id).returning('pin_failures').executeTakeFirstOrThrow();
        const secs = lockSeconds(settings.lockout, Number(r.pin_failures));
        if (secs > 0) await db.updateTable('users').set({ pin_locked_until: iso(t + secs * 1000) }).where('id', '=', user.id).execute();
      }
    }
    await refusedRecord(ctx, origin, user, 'bad_credentials', { username: user ? null : input.username.slice(0, 40) });
    throw refuse(401, 'bad_credentials', 'Wrong username, password or PIN, or the account may not log in here.');
  }
  if (user.password_failures > 0 || user.pin_failures > 0 || user.password_locked_until || user.pin_locked_until) {
    await db.updateTable('users').set({ password_failures: 0, pin_failures: 0, password_locked_until: null, pin_locked_until: null }).where('id', '=', user.id).execute();
  }
  return user;
}

/** Account-level refusals after the secrets were right: disabled, inactive clinic, forced change. */
export async function checkAccount(ctx: AccountsContext, origin: Origin, user: UserRow, opts: { allowMustChange: boolean }): Promise<void> {
  if (user.active !== 1) {
    await refusedRecord(ctx, origin, user, 'disabled');
    throw refuse(401, 'bad_credentials', 'Wrong username, password or PIN, or the account may not log in here.');
  }
  if (user.clinic_id) {
    const state = await accountsDb(ctx.sdb.db).selectFrom('clinic_state').select('active').where('clinic_id', '=', user.clinic_id).executeTakeFirst();
    if (state && state.active !== 1) {
      await refusedRecord(ctx, origin, user, 'clinic_inactive');
      throw refuse(403, 'clinic_inactive', 'This clinic has been deactivated by the system administrator.');
    }
  }
  if (!opts.allowMustChange && user.must_change === 1) {
    throw refuse(403, 'password_change_required', 'This is a first login or the password was reset: choose a new password (and PIN) before logging in.', 'newPassword');
  }
}

/** Applies the country policy: refuse (with a record) or let through, flagged or not. */
export async function checkCountry(ctx: AccountsContext, settings: ServiceSettings, origin: Origin, user: UserRow | null, method: string): Promise<Located> {
  const located = await locate(ctx, origin.ip, settings);
  if (located.decision.decision === 'refuse') {
    await refusedRecord(ctx, origin, user ?? undefined, located.decision.why === 'outside' ? 'country_not_allowed' : 'country_unknown', { method, lookup: located.lookup }, located.decision.country);
    throw refuse(
      403,
      'country_refused',
      located.decision.why === 'outside'
        ? `Logins from ${located.decision.country} are not allowed for this service.`
        : 'The location of this login could not be determined, and the service only allows logins from known countries. Try again shortly.',
    );
  }
  return located;
}

/**
 * A login got through: remember when and from where, start the offline window (the verifier on the
 * clinic's feed), and write the activity record in the same transaction.
 */
export async function recordLogin(ctx: AccountsContext, settings: ServiceSettings, origin: Origin, user: UserRow, method: string, located: Located, sessionId: string): Promise<void> {
  const now = new Date().toISOString();
  await changeUser(ctx.sdb, user, settings, async (trx) => {
    await trx.updateTable('users').set({ last_login_at: now, last_online_login_at: now, last_login_country: located.decision.country }).where('id', '=', user.id).execute();
    await appendServerActivity(
      ctx.sdb,
      {
        clinicId: user.clinic_id ?? 'service', actorUserId: user.id, action: 'auth.login', subject: `user:${user.id}`, outcome: 'ok', country: located.decision.country, ip: origin.ip,
        details: { method, surface: origin.surface, device: origin.deviceId, session: sessionId, flagged: located.decision.flagged, ...(located.decision.flagged ? { flag: located.decision.why } : {}), lookup: located.lookup },
      },
      trx,
    );
  });
}

/**
 * Changes a user's password (and optionally PIN) after checking the current ones with lockout.
 * This is how a first login or an admin reset is completed. Every other session of the user ends.
 */
export async function changeSecret(ctx: AccountsContext, origin: Origin, input: SecretChange): Promise<UserRow> {
  const settings = await loadServiceSettings(ctx.sdb);
  const user = await checkCredentials(ctx, settings, origin, input);
  await checkAccount(ctx, origin, user, { allowMustChange: true });
  const passwordHash = await hashPassword(input.newPassword);
  const pinHash = input.newPin ? await hashPassword(input.newPin) : user.pin_hash;
  const now = new Date().toISOString();
  await changeUser(ctx.sdb, user, settings, async (trx: AccountsExecutor) => {
    await trx.updateTable('users').set({ password_hash: passwordHash, pin_hash: pinHash, must_change: 0, updated_at: now }).where('id', '=', user.id).execute();
    await revokeUserSessions(trx, user.id, now);
    await appendServerActivity(ctx.sdb, {
      clinicId: user.clinic_id ?? 'service', actorUserId: user.id, action: 'user.secret_change', subject: `user:${user.id}`, outcome: 'ok', country: null, ip: origin.ip,
      details: { pin: input.newPin !== undefined, surface: origin.surface },
    }, trx);
  });
  return { ...user, password_hash: passwordHash, pin_hash: pinHash, must_change: 0 };
}
