import { randomInt, randomUUID } from 'node:crypto';
import { roleHas, type Permission } from '../../src-shared/api/permissions';
import type { AccountCreate, AccountReset, AccountUpdate, AccountView } from '../../src-shared/schemas/accounts';
import type { Role } from '../../src-shared/schemas/enums';
import type { z } from 'zod';
import { hashPassword } from '../auth/crypto';
import type { ServerDb } from '../db/connect';
import { appendServerActivity } from './activity';
import { refuse } from './errors';
import { accountsDb } from './schema';
import { loadServiceSettings } from './settings';
import { accountView, changeUser, findUser, revokeUserSessions, type UserRow } from './users';

/** Who asks: from a desk session (clinic admin) or a console session (system administrator). */
export interface Actor {
  readonly userId: string;
  readonly role: Role;
  readonly clinicId: string | null;
  readonly ip: string | null;
}

/** The one permission gate of the server side: the table in src-shared/api/permissions.ts. */
export function requirePermission(actor: Actor, permission: Permission): void {
  if (!roleHas(actor.role, permission)) throw refuse(403, 'forbidden', `The role ${actor.role} may not do this (needs ${permission}).`);
}

/**
 * A clinic is visible to an actor who may work across clinics, or who belongs to it. Another
 * clinic's users answer exactly like a user that does not exist (404), so nothing leaks.
 */
function canSeeClinic(actor: Actor, clinicId: string | null): boolean {
  if (roleHas(actor.role, 'users.manage_all_clinics')) return true;
  return clinicId !== null && clinicId === actor.clinicId;
}

async function visibleUser(sdb: ServerDb, actor: Actor, userId: string): Promise<UserRow> {
  const u = await findUser(accountsDb(sdb.db), userId);
  if (!u || u.removed_at !== null || !canSeeClinic(actor, u.clinic_id)) throw refuse(404, 'unknown_user', 'This user does not exist.', 'userId');
  return u;
}

/** Roles an actor may hand out or touch: only a system administrator makes system administrators. */
function checkRole(actor: Actor, role: Role, field: string): void {
  if (role === 'system_admin' && !roleHas(actor.role, 'users.grant_system_admin')) {
    throw refuse(403, 'forbidden_role', 'Only a system administrator can make someone a system administrator.', field);
  }
}

export async function listAccounts(sdb: ServerDb, actor: Actor, filter: { clinicId?: string | null | undefined; search?: string | undefined }): Promise<AccountView[]> {
  requirePermission(actor, 'users.manage');
  let q = accountsDb(sdb.db).selectFrom('users').selectAll().where('removed_at', 'is', null);
  if (!roleHas(actor.role, 'users.manage_all_clinics')) {
    if (filter.clinicId !== undefined && filter.clinicId !== actor.clinicId) throw refuse(404, 'unknown_clinic', 'This clinic does not exist.', 'clinicId');
    if (!actor.clinicId) return [];
    q = q.where('clinic_id', '=', actor.clinicId);
  } else if (filter.clinicId === null) {
    q = q.where('clinic_id', 'is', null);
  } else if (filter.clinicId) {
    q = q.where('clinic_id', '=', filter.clinicId);
  }
  const rows = await q.orderBy('username').limit(5000).execute();
  const needle = filter.search?.trim().toLowerCase();
  return rows.filter((r) => !needle || r.username.includes(needle) || r.display_name.toLowerCase().includes(needle)).map(accountView);
}

async function assertPersonnummerFree(sdb: ServerDb, pn: string | null, exceptUserId: string | null): Promise<void> {
  if (!pn) return;
  const other = await accountsDb(sdb.db).selectFrom('users').select('id').where('personnummer', '=', pn).executeTakeFirst();
  if (other && other.id !== exceptUserId) throw refuse(409, 'personnummer_taken', 'Another user already has this personal identity number; a BankID login must map to one user.', 'personnummer');
}

export async function createAccount(sdb: ServerDb, actor: Actor, input: AccountCreate): Promise<AccountView> {
  requirePermission(actor, 'users.manage');
  checkRole(actor, input.role, 'role');
  if (input.role === 'system_admin' ? input.clinicId !== null : input.clinicId === null) {
    throw refuse(400, 'invalid_request', input.role === 'system_admin' ? 'A system administrator belongs to no clinic.' : 'Staff and clinic administrators belong to a clinic.', 'clinicId');
  }
  if (input.clinicId !== null && !canSeeClinic(actor, input.clinicId)) throw refuse(404, 'unknown_clinic', 'This clinic does not exist.', 'clinicId');
  if (input.clinicId !== null) {
    const c = await sdb.db.selectFrom('clinics').select('id').where('id', '=', input.clinicId).executeTakeFirst();
    if (!c) throw refuse(404, 'unknown_clinic', 'This clinic does not exist.', 'clinicId');
  }
  const taken = await sdb.db.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
  if (taken) throw refuse(409, 'username_taken', `The username ${input.username} is already taken.`, 'username');
  await assertPersonnummerFree(sdb, input.personnummer, null);
  const settings = await loadServiceSettings(sdb);
  const [passwordHash, pinHash] = await Promise.all([hashPassword(input.password), hashPassword(input.pin)]);
  const id = randomUUID();
  const now = new Date().toISOString();
  await changeUser(sdb, { id, clinic_id: input.clinicId }, settings, async (trx) => {
    await trx
      .insertInto('users')
      .values({
        id, clinic_id: input.clinicId, username: input.username, display_name: input.displayName, role: input.role, personnummer: input.personnummer,
        language: input.language, active: 1, password_hash: passwordHash, pin_hash: pinHash, created_at: now, updated_at: now,
        // A password someone else chose is temporary: the first login must replace it.
        must_change: 1, password_failures: 0, pin_failures: 0, password_locked_until: null, pin_locked_until: null,
        last_login_at: null, last_login_country: null, last_online_login_at: null,
      })
      .execute();
    await appendServerActivity(sdb, {
      clinicId: input.clinicId ?? 'service', actorUserId: actor.userId, action: 'user.create', subject: `user:${id}`, outcome: 'ok', country: null, ip: actor.ip,
      details: { role: input.role, username: input.username },
    }, trx);
  });
  return accountView((await findUser(accountsDb(sdb.db), id))!);
}

export async function updateAccount(sdb: ServerDb, actor: Actor, userId: string, patch: AccountUpdate): Promise<AccountView> {
  requirePermission(actor, 'users.manage');
  const target = await visibleUser(sdb, actor, userId);
  if (target.role === 'system_admin') checkRole(actor, 'system_admin', 'userId');
  if (patch.role !== undefined) {
    checkRole(actor, patch.role, 'role');
    if ((patch.role === 'system_admin') !== (target.role === 'system_admin')) {
      throw refuse(400, 'invalid_request', 'A clinic user cannot become a system administrator or the reverse: create a separate account.', 'role');
    }
  }
  if (userId === actor.userId && (patch.active === false || (patch.role !== undefined && patch.role !== target.role))) {
    throw refuse(400, 'invalid_request', 'You cannot disable yourself or change your own role.', patch.active === false ? 'active' : 'role');
  }
  if (patch.personnummer !== undefined) await assertPersonnummerFree(sdb, patch.personnummer, userId);
  const settings = await loadServiceSettings(sdb);
  const now = new Date().toISOString();
  const endsSessions = (patch.role !== undefined && patch.role !== target.role) || patch.active === false;
  await changeUser(sdb, target, settings, async (trx) => {
    await trx
      .updateTable('users')
      .set({
        ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.personnummer !== undefined ? { personnummer: patch.personnummer } : {}),
        ...(patch.language !== undefined ? { language: patch.language } : {}),
        ...(patch.active !== undefined ? { active: patch.active ? 1 : 0 } : {}),
        updated_at: now,
      })
      .where('id', '=', userId)
      .execute();
    // A new role or a disabled account ends every session now: the next request is refused.
    if (endsSessions) await revokeUserSessions(trx, userId, now);
    await appendServerActivity(sdb, {
      clinicId: target.clinic_id ?? 'service', actorUserId: actor.userId, action: patch.active === false ? 'user.disable' : 'user.update', subject: `user:${userId}`, outcome: 'ok', country: null, ip: actor.ip,
      details: { fields: Object.keys(patch).sort().join(','), ...(patch.role !== undefined ? { role: patch.role } : {}), sessionsEnded: endsSessions },
    }, trx);
  });
  return accountView((await findUser(accountsDb(sdb.db), userId))!);
}

const PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Generated temporaries, shown once to the admin, to be changed at the next login. */
export async function resetAccount(sdb: ServerDb, actor: Actor, userId: string, what: z.infer<typeof AccountReset>): Promise<{ password: string | null; pin: string | null }> {
  requirePermission(actor, 'users.manage');
  const target = await visibleUser(sdb, actor, userId);
  if (target.role === 'system_admin') checkRole(actor, 'system_admin', 'userId');
  const password = what.password ? Array.from({ length: 14 }, () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]).join('') : null;
  const pin = what.pin ? String(randomInt(0, 1_000_000)).padStart(6, '0') : null;
  const [ph, nh] = await Promise.all([password ? hashPassword(password) : null, pin ? hashPassword(pin) : null]);
  const settings = await loadServiceSettings(sdb);
  const now = new Date().toISOString();
  await changeUser(sdb, target, settings, async (trx) => {
    await trx
      .updateTable('users')
      .set({
        ...(ph ? { password_hash: ph, password_failures: 0, password_locked_until: null } : {}),
        ...(nh ? { pin_hash: nh, pin_failures: 0, pin_locked_until: null } : {}),
        must_change: 1, updated_at: now,
      })
      .where('id', '=', userId)
      .execute();
    await revokeUserSessions(trx, userId, now);
    await appendServerActivity(sdb, {
      clinicId: target.clinic_id ?? 'service', actorUserId: actor.userId, action: 'user.reset', subject: `user:${userId}`, outcome: 'ok', country: null, ip: actor.ip,
      details: { password: password !== null, pin: pin !== null },
    }, trx);
  });
  return { password, pin };
}

/**
 * Removes a user: the row stays (orders, sessions and activity records name it), but it can never
 * log in again, disappears from account lists, and its username and personnummer are released.
 * Desks learn it on their next sync (inactive user, verifier without hashes).
 */
export async function removeAccount(sdb: ServerDb, actor: Actor, userId: string): Promise<void> {
  requirePermission(actor, 'users.manage');
  const target = await visibleUser(sdb, actor, userId);
  if (target.role === 'system_admin') checkRole(actor, 'system_admin', 'userId');
  if (userId === actor.userId) throw refuse(400, 'invalid_request', 'You cannot remove yourself.', 'userId');
  const settings = await loadServiceSettings(sdb);
  const now = new Date().toISOString();
  await changeUser(sdb, target, settings, async (trx) => {
    await trx
      .updateTable('users')
      .set({
        active: 0, removed_at: now, updated_at: now, personnummer: null,
        username: `x.${userId.replace(/-/g, '').slice(0, 32)}`,
        // Not a scrypt string: verifyPassword refuses it whatever is typed.
        password_hash: 'removed', pin_hash: 'removed',
      })
      .where('id', '=', userId)
      .execute();
    await revokeUserSessions(trx, userId, now);
    await appendServerActivity(sdb, {
      clinicId: target.clinic_id ?? 'service', actorUserId: actor.userId, action: 'user.remove', subject: `user:${userId}`, outcome: 'ok', country: null, ip: actor.ip,
      details: { username: target.username },
    }, trx);
  });
}
