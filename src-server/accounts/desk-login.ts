import { z } from 'zod';
import { BankIdDeskLogin } from '../../src-shared/schemas/accounts';
import { LoginRequest, type SessionTokens } from '../../src-shared/sync/protocol';
import { issueSession, type AuthedDevice } from '../auth/service';
import { appendServerActivity } from './activity';
import type { ServerBankId } from './bankid';
import { refuse } from './errors';
import { checkAccount, checkCountry, checkCredentials, recordLogin, type AccountsContext, type Origin } from './login';
import { accountsDb } from './schema';
import { loadServiceSettings } from './settings';

/** What POST /v1/auth/login accepts: the protocol's password login, or a desk's BankID assertion. */
export const DeskLoginRequest = z.discriminatedUnion('method', [...LoginRequest.options, BankIdDeskLogin]);
export type DeskLoginRequest = z.infer<typeof DeskLoginRequest>;

/**
 * A login at an enrolled desk. Password logins go through lockout, account and country checks.
 * BankID logins: the desk's main process ran the flow; the server accepts the result only
 *  - over the device credential of an enrolled, unrevoked desk (so a browser cannot claim it),
 *  - once per orderRef (a replayed assertion is refused),
 *  - when the server has its own BankID connection, only if collecting that orderRef itself says
 *    complete for the same personal number (then nothing of the desk's claim is trusted),
 *  - for an active user of that desk's clinic who has the personal number on file.
 */
export async function deskLogin(ctx: AccountsContext, bankid: ServerBankId | null, device: AuthedDevice, ip: string, body: DeskLoginRequest): Promise<SessionTokens> {
  const settings = await loadServiceSettings(ctx.sdb);
  const origin: Origin = { ip, surface: 'desk', deviceId: device.id };
  let user;
  if (body.method === 'password') {
    user = await checkCredentials(ctx, settings, origin, body);
    await checkAccount(ctx, origin, user, { allowMustChange: false });
  } else {
    const db = accountsDb(ctx.sdb.db);
    const fresh = await db
      .insertInto('bankid_orders')
      .values({ id: body.orderRef, order_ref: body.orderRef, purpose: 'desk', created_at: new Date().toISOString(), qr_start_token: null, qr_start_secret: null, consumed_at: new Date().toISOString() })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(fresh.numInsertedOrUpdatedRows ?? 0) !== 1) throw refuse(409, 'bankid_order_reused', 'This BankID login has already been used. Start a new BankID login.', 'orderRef');
    if (bankid) {
      const c = await bankid.collect(body.orderRef);
      if (!c.ok || c.value.status !== 'complete' || c.value.completionData.user.personalNumber !== body.personalNumber) {
        throw refuse(401, 'bankid_not_confirmed', 'BankID did not confirm this login for this person. Start a new BankID login.', 'orderRef');
      }
    }
    user = await db.selectFrom('users').selectAll().where('personnummer', '=', body.personalNumber).where('clinic_id', '=', device.clinicId).executeTakeFirst();
    if (!user) {
      await appendServerActivity(ctx.sdb, {
        clinicId: device.clinicId, actorUserId: null, action: 'auth.login', subject: null, outcome: 'refused', country: null, ip,
        details: { why: 'no_user_for_personnummer', method: 'bankid', surface: 'desk', device: device.id },
      });
      throw refuse(403, 'no_user_for_personnummer', 'No user of this clinic has this personal identity number on file. Ask your clinic administrator to add it to your account.', 'personalNumber');
    }
    // BankID proves the person; a forced password change still has to happen with the password.
    await checkAccount(ctx, origin, user, { allowMustChange: true });
  }
  if (user.role !== 'system_admin' && user.clinic_id !== device.clinicId) {
    throw refuse(401, 'bad_credentials', 'Wrong username, password or PIN, or the account may not log in here.');
  }
  const located = await checkCountry(ctx, settings, origin, user, body.method);
  const tokens = await issueSession(ctx.sdb, device, user, body.method);
  await recordLogin(ctx, settings, origin, user, body.method, located, tokens.accessToken.split('.')[1] ?? '');
  return tokens;
}
