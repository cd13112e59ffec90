import { randomUUID } from 'node:crypto';
import { NewPassword, NewPin } from '../../src-shared/schemas/accounts';
import { CanonicalPersonnummer, User } from '../../src-shared/schemas/entities';
import { hashPassword } from '../auth/crypto';
import type { ServerDb } from '../db/connect';
import { appendServerActivity } from './activity';
import { accountsDb } from './schema';

/**
 * The first system administrator: nobody can create one through the console before one exists.
 * `npm run server` calls this from KASSA_SYSADMIN_USERNAME / _PASSWORD / _PIN (and optionally
 * _PERSONNUMMER for BankID); an existing username is left untouched. The password must be changed
 * at the first login unless `mustChange` is false (demo and end-to-end runs).
 */
export async function ensureSystemAdmin(
  sdb: ServerDb,
  input: { username: string; password: string; pin: string; displayName?: string; personnummer?: string | null; mustChange?: boolean },
): Promise<{ userId: string; created: boolean }> {
  const username = User.shape.username.parse(input.username);
  const db = accountsDb(sdb.db);
  const existing = await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
  if (existing) return { userId: existing.id, created: false };
  const [passwordHash, pinHash] = await Promise.all([hashPassword(NewPassword.parse(input.password)), hashPassword(NewPin.parse(input.pin))]);
  const id = randomUUID();
  const now = new Date().toISOString();
  await db
    .insertInto('users')
    .values({
      id, clinic_id: null, username, display_name: input.displayName ?? 'Systemadministratör', role: 'system_admin',
      personnummer: input.personnummer ? CanonicalPersonnummer.parse(input.personnummer) : null, language: 'sv', active: 1,
      password_hash: passwordHash, pin_hash: pinHash, created_at: now, updated_at: now, must_change: input.mustChange === false ? 0 : 1,
      password_failures: 0, pin_failures: 0, password_locked_until: null, pin_locked_until: null, last_login_at: null, last_login_country: null, last_online_login_at: null,
    })
    .execute();
  await appendServerActivity(sdb, { clinicId: 'service', actorUserId: null, action: 'user.bootstrap_system_admin', subject: `user:${id}`, outcome: 'ok', country: null, ip: null, details: { username } });
  return { userId: id, created: true };
}
