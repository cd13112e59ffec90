import { randomUUID } from 'node:crypto';
import type { Role } from '../../src-shared/schemas/enums';
import type { LoginRequest, SessionTokens } from '../../src-shared/sync/protocol';
import type { ServerDb } from '../db/connect';
import { DUMMY_PASSWORD_HASH, randomSecret, sameDigest, sha256, verifyPassword } from './crypto';

export const ACCESS_TTL_MS = 15 * 60_000;
export const REFRESH_TTL_MS = 30 * 24 * 3600_000;
export const ENROLMENT_TTL_MS = 7 * 24 * 3600_000;

export interface AuthedDevice {
  readonly id: string;
  readonly clinicId: string;
}

export interface AuthedSession {
  readonly sessionId: string;
  readonly device: AuthedDevice;
  readonly userId: string;
  readonly role: Role;
}

export class AuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Tokens are "<kind>.<id>.<secret>": the id finds the row, the secret is compared as a SHA-256
 * digest in constant time. Nothing secret is ever stored in clear.
 */
function splitToken(token: string, kind: string): { id: string; secret: string } | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== kind || !parts[1] || !parts[2] || parts[1].length > 64 || parts[2].length > 128) return null;
  return { id: parts[1], secret: parts[2] };
}

/** Creates a one-time enrolment code for a clinic; only its hash is stored. */
export async function createEnrolmentCode(sdb: ServerDb, clinicId: string, createdBy: string, ttlMs = ENROLMENT_TTL_MS): Promise<string> {
  const code = randomSecret(15);
  await sdb.db
    .insertInto('enrolment_codes')
    .values({ code_hash: sha256(code), clinic_id: clinicId, created_by: createdBy, expires_at: iso(Date.now() + ttlMs), used_at: null, device_id: null })
    .execute();
  return code;
}

/** Spends an enrolment code (once, atomically) and registers a device with a fresh credential. */
export async function enrolDevice(sdb: ServerDb, code: string, deviceName: string): Promise<{ deviceId: string; clinicId: string; deviceCredential: string }> {
  const deviceId = randomUUID();
  const credential = randomSecret(32);
  const now = new Date().toISOString();
  return sdb.db.transaction().execute(async (trx) => {
    const spent = await trx
      .updateTable('enrolment_codes')
      .set({ used_at: now, device_id: deviceId })
      .where('code_hash', '=', sha256(code))
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('clinic_id')
      .executeTakeFirst();
    if (!spent) throw new AuthError(403, 'enrolment_code_invalid', 'This enrolment code is unknown, already used or expired. Ask a clinic administrator for a new one.');
    await trx
      .insertInto('devices')
      .values({ id: deviceId, clinic_id: spent.clinic_id, name: deviceName, credential_hash: sha256(credential), last_seq: 0, enrolled_at: now, revoked_at: null })
      .execute();
    return { deviceId, clinicId: spent.clinic_id, deviceCredential: credential };
  });
}

/** "Device <uuid>:<credential>" → the device, or an AuthError. */
export async function authenticateDevice(sdb: ServerDb, header: string | undefined): Promise<AuthedDevice> {
  const m = /^Device ([0-9a-f-]{36}):([A-Za-z0-9_-]{16,128})$/.exec(header ?? '');
  if (!m) throw new AuthError(401, 'unauthenticated', 'This call needs the device credential of an enrolled desk.');
  const row = await sdb.db.selectFrom('devices').select(['id', 'clinic_id', 'credential_hash', 'revoked_at']).where('id', '=', m[1]!).executeTakeFirst();
  if (!row || !sameDigest(row.credential_hash, sha256(m[2]!))) throw new AuthError(401, 'bad_device_credential', 'The device credential is not valid. Enrol this desk again.');
  if (row.revoked_at) throw new AuthError(401, 'device_revoked', 'This desk has been revoked by an administrator. Enrol it again.');
  return { id: row.id, clinicId: row.clinic_id };
}

export async function issueSession(sdb: ServerDb, device: AuthedDevice, user: { id: string; clinic_id: string | null; role: string }, method: string): Promise<SessionTokens> {
  const id = randomUUID();
  const access = randomSecret();
  const refresh = randomSecret();
  const now = Date.now();
  await sdb.db
    .insertInto('sessions')
    .values({
      id,
      device_id: device.id,
      user_id: user.id,
      clinic_id: user.clinic_id,
      method,
      access_hash: sha256(access),
      access_expires_at: iso(now + ACCESS_TTL_MS),
      refresh_hash: sha256(refresh),
      prev_refresh_hash: null,
      refresh_expires_at: iso(now + REFRESH_TTL_MS),
      created_at: iso(now),
      revoked_at: null,
    })
    .execute();
  return {
    accessToken: `ka1.${id}.${access}`,
    accessExpiresAt: iso(now + ACCESS_TTL_MS),
    refreshToken: `kr1.${id}.${refresh}`,
    refreshExpiresAt: iso(now + REFRESH_TTL_MS),
    userId: user.id,
    role: user.role,
  };
}

/**
 * Logs a user in on an enrolled device. The method union leaves room for personal-ID (BankID):
 * it will resolve a user by personnummer and then call issueSession the same way.
 */
export async function login(sdb: ServerDb, device: AuthedDevice, req: LoginRequest): Promise<SessionTokens> {
  const user = await sdb.db
    .selectFrom('users')
    .select(['id', 'clinic_id', 'role', 'active', 'password_hash', 'pin_hash'])
    .where('username', '=', req.username)
    .executeTakeFirst();
  // Always run both scrypt checks, so timing does not reveal which part was wrong or who exists.
  const passwordOk = await verifyPassword(req.password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
  const pinOk = await verifyPassword(req.pin, user?.pin_hash ?? DUMMY_PASSWORD_HASH);
  const sameClinic = user !== undefined && (user.role === 'system_admin' || user.clinic_id === device.clinicId);
  if (!user || !passwordOk || !pinOk || !sameClinic || user.active !== 1) {
    throw new AuthError(401, 'bad_credentials', 'Wrong username, password or PIN, or the account may not log in on this desk.');
  }
  return issueSession(sdb, device, user, req.method);
}

/**
 * Rotates a refresh token. Presenting an already-rotated token means it was copied: the whole
 * session is revoked, so both the thief and the victim must log in again.
 */
export async function refreshSession(sdb: ServerDb, device: AuthedDevice, refreshToken: string): Promise<SessionTokens> {
  const parts = splitToken(refreshToken, 'kr1');
  const bad = new AuthError(401, 'bad_refresh_token', 'The session has ended. Log in again.');
  if (!parts) throw bad;
  const row = await sdb.db.selectFrom('sessions').selectAll().where('id', '=', parts.id).executeTakeFirst();
  if (!row || row.device_id !== device.id || row.revoked_at) throw bad;
  const digest = sha256(parts.secret);
  if (row.prev_refresh_hash && sameDigest(row.prev_refresh_hash, digest)) {
    await sdb.db.updateTable('sessions').set({ revoked_at: new Date().toISOString() }).where('id', '=', row.id).execute();
    throw new AuthError(401, 'refresh_token_reused', 'This session was used from two places and has been ended for safety. Log in again.');
  }
  if (!sameDigest(row.refresh_hash, digest) || row.refresh_expires_at <= new Date().toISOString()) throw bad;
  const user = await sdb.db.selectFrom('users').select(['id', 'clinic_id', 'role', 'active']).where('id', '=', row.user_id).executeTakeFirst();
  if (!user || user.active !== 1) throw bad;
  const access = randomSecret();
  const refresh = randomSecret();
  const now = Date.now();
  // Compare-and-set on the old hash: two concurrent refreshes cannot both succeed.
  const updated = await sdb.db
    .updateTable('sessions')
    .set({
      access_hash: sha256(access),
      access_expires_at: iso(now + ACCESS_TTL_MS),
      prev_refresh_hash: row.refresh_hash,
      refresh_hash: sha256(refresh),
      refresh_expires_at: iso(now + REFRESH_TTL_MS),
    })
    .where('id', '=', row.id)
    .where('refresh_hash', '=', row.refresh_hash)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) throw bad;
  return {
    accessToken: `ka1.${row.id}.${access}`,
    accessExpiresAt: iso(now + ACCESS_TTL_MS),
    refreshToken: `kr1.${row.id}.${refresh}`,
    refreshExpiresAt: iso(now + REFRESH_TTL_MS),
    userId: user.id,
    role: user.role,
  };
}

export async function authenticateAccess(sdb: ServerDb, header: string | undefined): Promise<AuthedSession> {
  const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
  const parts = token ? splitToken(token, 'ka1') : null;
  const bad = new AuthError(401, 'bad_access_token', 'The session token is not valid or has expired. Log in again.');
  if (!parts) throw bad;
  const row = await sdb.db
    .selectFrom('sessions')
    .innerJoin('devices', 'devices.id', 'sessions.device_id')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.id', 'sessions.access_hash', 'sessions.access_expires_at', 'sessions.revoked_at', 'devices.id as device_id', 'devices.clinic_id', 'devices.revoked_at as device_revoked_at', 'users.role', 'users.active', 'users.id as user_id'])
    .where('sessions.id', '=', parts.id)
    .executeTakeFirst();
  if (!row || !sameDigest(row.access_hash, sha256(parts.secret))) throw bad;
  if (row.revoked_at || row.device_revoked_at || row.active !== 1 || row.access_expires_at <= new Date().toISOString()) throw bad;
  return { sessionId: row.id, device: { id: row.device_id, clinicId: row.clinic_id }, userId: row.user_id, role: row.role as Role };
}

export async function revokeSession(sdb: ServerDb, sessionId: string): Promise<void> {
  await sdb.db.updateTable('sessions').set({ revoked_at: new Date().toISOString() }).where('id', '=', sessionId).where('revoked_at', 'is', null).execute();
}

/**
 * Sync calls accept either a user session (Bearer) or the device credential: a desk syncs its
 * outbox when nobody is logged in too; each mutation names its actor and is checked server-side.
 */
export async function authenticateSyncCaller(sdb: ServerDb, header: string | undefined): Promise<AuthedDevice> {
  if (header?.startsWith('Bearer ')) return (await authenticateAccess(sdb, header)).device;
  return authenticateDevice(sdb, header);
}
