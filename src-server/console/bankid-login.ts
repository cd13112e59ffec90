import { randomUUID } from 'node:crypto';
import { failedMessage } from '../../src-shared/domain/bankid-messages';
import type { ConsoleBankIdPoll, ConsoleBankIdStart } from '../../src-shared/schemas/console';
import { appendServerActivity } from '../accounts/activity';
import { qrText, type ServerBankId } from '../accounts/bankid';
import { refuse } from '../accounts/errors';
import { checkAccount, checkCountry, recordLogin, type AccountsContext, type Origin } from '../accounts/login';
import { accountsDb } from '../accounts/schema';
import { loadServiceSettings } from '../accounts/settings';
import { openConsoleSession } from './session';


function endUserIp(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  return v4 ?? ip;
}

/**
 * Console login by BankID, run entirely by the server: it starts the order, keeps orderRef and
 * qrStartSecret in its own table, collects when the browser polls (every 2 s), and opens a session
 * only for an active system administrator with the returned personal number on file.
 */
export async function startConsoleBankId(ctx: AccountsContext, bankid: ServerBankId | null, ip: string): Promise<ConsoleBankIdStart> {
  if (!bankid) throw refuse(503, 'bankid_unavailable', 'BankID is not configured on this server. Log in with password and PIN.');
  const r = await bankid.auth(endUserIp(ip));
  if (!r.ok) throw refuse(502, 'bankid_error', `BankID could not start: ${r.message}`);
  const id = randomUUID();
  await accountsDb(ctx.sdb.db)
    .insertInto('bankid_orders')
    .values({ id, order_ref: r.value.orderRef, purpose: 'console', created_at: new Date().toISOString(), qr_start_token: r.value.qrStartToken, qr_start_secret: r.value.qrStartSecret, consumed_at: null })
    .execute();
  return { id, qr: qrText(r.value.qrStartToken, r.value.qrStartSecret, 0), autoStartToken: r.value.autoStartToken };
}

export async function pollConsoleBankId(ctx: AccountsContext, bankid: ServerBankId | null, id: string, ip: string): Promise<ConsoleBankIdPoll> {
  if (!bankid) throw refuse(503, 'bankid_unavailable', 'BankID is not configured on this server.');
  const db = accountsDb(ctx.sdb.db);
  const order = await db.selectFrom('bankid_orders').selectAll().where('id', '=', id).where('purpose', '=', 'console').executeTakeFirst();
  if (!order || order.consumed_at) throw refuse(404, 'unknown_bankid_order', 'This BankID login is unknown or already finished. Start again.', 'id');
  const r = await bankid.collect(order.order_ref);
  if (!r.ok) throw refuse(502, 'bankid_error', `BankID could not be asked: ${r.message}`);
  const c = r.value;
  if (c.status === 'pending') {
    const seconds = (Date.now() - Date.parse(order.created_at)) / 1000;
    return { status: 'pending', hintCode: c.hintCode ?? null, qr: qrText(order.qr_start_token ?? '', order.qr_start_secret ?? '', seconds) };
  }
  // Finished either way: the order cannot be collected into a second session.
  const spent = await db.updateTable('bankid_orders').set({ consumed_at: new Date().toISOString(), qr_start_secret: null }).where('id', '=', id).where('consumed_at', 'is', null).executeTakeFirst();
  if (Number(spent.numUpdatedRows) !== 1) throw refuse(404, 'unknown_bankid_order', 'This BankID login is already finished. Start again.', 'id');
  if (c.status === 'failed') {
    const hint = c.hintCode ?? 'unknown';
    const text = failedMessage(hint, { sameDevice: false });
    return { status: 'failed', hintCode: hint, message: `${text.sv} / ${text.en}` };
  }
  const pn = c.completionData.user.personalNumber;
  const origin: Origin = { ip, surface: 'console', deviceId: null };
  const settings = await loadServiceSettings(ctx.sdb);
  const user = await db.selectFrom('users').selectAll().where('personnummer', '=', pn).where('role', '=', 'system_admin').executeTakeFirst();
  if (!user) {
    await appendServerActivity(ctx.sdb, { clinicId: 'service', actorUserId: null, action: 'auth.login', subject: null, outcome: 'refused', country: null, ip, details: { why: 'no_user_for_personnummer', method: 'bankid', surface: 'console' } });
    throw refuse(403, 'no_user_for_personnummer', 'No system administrator has this personal identity number on file.');
  }
  await checkAccount(ctx, origin, user, { allowMustChange: true });
  const located = await checkCountry(ctx, settings, origin, user, 'bankid');
  const session = await openConsoleSession(ctx, user, 'bankid', ip, located);
  await recordLogin(ctx, settings, origin, user, 'bankid', located, session.token.split('.')[1] ?? '');
  return { status: 'complete', session };
}
