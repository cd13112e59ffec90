import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { roleHas } from '../../src-shared/api/permissions';
import type { ConsoleSession } from '../../src-shared/schemas/console';
import { Role } from '../../src-shared/schemas/enums';
import { randomSecret, sameDigest, sha256 } from '../auth/crypto';
import { refuse } from '../accounts/errors';
import type { Actor } from '../accounts/manage';
import { clientIp, type AccountsContext, type Located } from '../accounts/login';
import { accountsDb } from '../accounts/schema';
import { loadServiceSettings } from '../accounts/settings';
import { accountView, type UserRow } from '../accounts/users';

/**
 * Console sessions: "kc1.<id>.<secret>" bearer tokens, only the SHA-256 of the secret stored. A
 * session ends after the idle limit, after the absolute limit (service settings), on logout, and
 * at once when the user is disabled, loses the system_admin role, or has its sessions revoked:
 * every request re-reads the user.
 */
export async function openConsoleSession(ctx: AccountsContext, user: UserRow, method: 'password' | 'bankid', ip: string, located: Located): Promise<ConsoleSession> {
  const settings = await loadServiceSettings(ctx.sdb);
  const id = randomUUID();
  const secret = randomSecret();
  const now = Date.now();
  const expiresAt = new Date(now + settings.sessions.consoleMaxHours * 3600_000).toISOString();
  await accountsDb(ctx.sdb.db)
    .insertInto('console_sessions')
    .values({ id, user_id: user.id, method, token_hash: sha256(secret), created_at: new Date(now).toISOString(), last_seen_at: new Date(now).toISOString(), expires_at: expiresAt, revoked_at: null, ip, country: located.decision.country })
    .execute();
  return { token: `kc1.${id}.${secret}`, expiresAt, user: accountView(user), method };
}

export interface ConsoleCaller {
  readonly sessionId: string;
  readonly user: UserRow;
  readonly actor: Actor;
  readonly method: 'password' | 'bankid';
  readonly expiresAt: string;
}

export async function authenticateConsole(ctx: AccountsContext, request: FastifyRequest): Promise<ConsoleCaller> {
  const m = /^Bearer kc1\.([0-9a-f-]{36})\.([A-Za-z0-9_-]{16,128})$/.exec(request.headers.authorization ?? '');
  const bad = refuse(401, 'console_session_invalid', 'Your console session has ended. Log in again.');
  if (!m) throw bad;
  const db = accountsDb(ctx.sdb.db);
  const row = await db
    .selectFrom('console_sessions')
    .innerJoin('users', 'users.id', 'console_sessions.user_id')
    .select(['console_sessions.id as sid', 'console_sessions.token_hash', 'console_sessions.expires_at', 'console_sessions.last_seen_at', 'console_sessions.revoked_at', 'console_sessions.method', 'users.id as uid'])
    .where('console_sessions.id', '=', m[1]!)
    .executeTakeFirst();
  if (!row || !sameDigest(row.token_hash, sha256(m[2]!)) || row.revoked_at) throw bad;
  const settings = await loadServiceSettings(ctx.sdb);
  const now = Date.now();
  if (Date.parse(row.expires_at) <= now || Date.parse(row.last_seen_at) + settings.sessions.consoleIdleMinutes * 60_000 <= now) throw bad;
  const user = await db.selectFrom('users').selectAll().where('id', '=', row.uid).executeTakeFirstOrThrow();
  const role = Role.safeParse(user.role);
  if (user.active !== 1 || !role.success || !roleHas(role.data, 'console.access')) throw bad;
  // Idle tracking without a write per request.
  if (now - Date.parse(row.last_seen_at) > 15_000) await db.updateTable('console_sessions').set({ last_seen_at: new Date(now).toISOString() }).where('id', '=', row.sid).execute();
  return {
    sessionId: row.sid,
    user,
    actor: { userId: user.id, role: role.data, clinicId: user.clinic_id, ip: clientIp(ctx, request) },
    method: row.method === 'bankid' ? 'bankid' : 'password',
    expiresAt: row.expires_at,
  };
}

export async function endConsoleSession(ctx: AccountsContext, sessionId: string): Promise<void> {
  await accountsDb(ctx.sdb.db).updateTable('console_sessions').set({ revoked_at: new Date().toISOString() }).where('id', '=', sessionId).where('revoked_at', 'is', null).execute();
}
