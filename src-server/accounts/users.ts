import type { User } from '../../src-shared/schemas/entities';
import type { Role } from '../../src-shared/schemas/enums';
import { type AccountView, type ServiceSettings, type UserVerifier } from '../../src-shared/schemas/accounts';
import type { ServerDb } from '../db/connect';
import { inClinicTransaction } from '../sync/transact';
import type { ClinicWriter } from '../sync/clinic-writer';
import { accountsDb, type AccountsExecutor, type AccountUsersTable } from './schema';

export type UserRow = AccountUsersTable;

export function publicUser(u: UserRow): User {
  return {
    id: u.id, clinicId: u.clinic_id, username: u.username, displayName: u.display_name, role: u.role as Role,
    personnummer: u.personnummer, language: u.language as User['language'], active: u.active === 1,
  };
}

export function accountView(u: UserRow): AccountView {
  const now = new Date().toISOString();
  const locks = [u.password_locked_until, u.pin_locked_until].filter((l): l is string => l !== null && l > now).sort();
  return {
    ...publicUser(u), mustChange: u.must_change === 1, lastLoginAt: u.last_login_at, lastLoginCountry: u.last_login_country,
    lockedUntil: locks[locks.length - 1] ?? null, createdAt: u.created_at,
  };
}

/** The offline verifier a desk receives: no hashes for a disabled user, no window before a first online login. */
export function verifierOf(u: UserRow, settings: ServiceSettings): UserVerifier | null {
  if (!u.clinic_id) return null;
  const active = u.active === 1;
  const hours = settings.sessions.offlineLoginHours;
  const offlineUntil = active && hours > 0 && u.last_online_login_at ? new Date(Date.parse(u.last_online_login_at) + hours * 3600_000).toISOString() : null;
  return {
    userId: u.id, clinicId: u.clinic_id, username: u.username, role: u.role as Role, active,
    passwordHash: active ? u.password_hash : null, pinHash: active ? u.pin_hash : null, mustChange: u.must_change === 1,
    lastOnlineLoginAt: u.last_online_login_at, offlineUntil,
  };
}

/** Stages the user and its verifier on the clinic's change feed (in the caller's transaction). */
export function stageUser(w: ClinicWriter, u: UserRow, settings: ServiceSettings): void {
  w.put('user', u.id, publicUser(u), null);
  const v = verifierOf(u, settings);
  if (v) w.put('user_verifier', u.id, v, null);
}

export async function findUser(db: AccountsExecutor, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Runs `work` on a user row in one transaction and publishes the row as it is afterwards to its
 * clinic's desks (user + verifier) in the same transaction. System administrators belong to no
 * clinic: their changes take a plain transaction and reach no desk.
 */
export async function changeUser<T>(
  sdb: ServerDb,
  user: Pick<UserRow, 'id' | 'clinic_id'>,
  settings: ServiceSettings,
  work: (trx: AccountsExecutor) => Promise<T>,
): Promise<T> {
  if (user.clinic_id) {
    const { value } = await inClinicTransaction(sdb, user.clinic_id, async (w, trx) => {
      const t = accountsDb(trx);
      const out = await work(t);
      const row = await findUser(t, user.id);
      if (row && row.clinic_id === user.clinic_id) stageUser(w, row, settings);
      return out;
    });
    return value;
  }
  return accountsDb(sdb.db).transaction().execute(work);
}

/** Ends every session of a user at once (desk and console): the next request is refused. */
export async function revokeUserSessions(trx: AccountsExecutor, userId: string, now = new Date().toISOString()): Promise<void> {
  await trx.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
  await trx.updateTable('console_sessions').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}
