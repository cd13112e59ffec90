import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { roleHas } from '../../src-shared/api/permissions';
import { AccountCreate, AccountReset, AccountUpdate, SecretChange, ServiceSettings } from '../../src-shared/schemas/accounts';
import {
  ActivityQuery, CancellationRequestInput, ClinicCreate, ClinicUpdate, CONSOLE_API, ConsoleLogin, ConsoleOrderQuery, EnrolmentCodeCreate, type ChainVerification, type ConsoleMe,
} from '../../src-shared/schemas/console';
import { Role } from '../../src-shared/schemas/enums';
import { parseNamed as parseInput } from '../accounts/errors';
import { appendServerActivity, verifyAllChains } from '../accounts/activity';
import type { ServerBankId } from '../accounts/bankid';
import { refuse } from '../accounts/errors';
import { changeSecret, checkAccount, checkCountry, checkCredentials, clientIp, recordLogin, type AccountsContext } from '../accounts/login';
import { createAccount, listAccounts, removeAccount, requirePermission, resetAccount, updateAccount } from '../accounts/manage';
import { loadServiceSettings, saveServiceSettings } from '../accounts/settings';
import { accountView } from '../accounts/users';
import { listActivity } from './activity-query';
import { pollConsoleBankId, startConsoleBankId } from './bankid-login';
import { addClinic, editClinic, getClinic, issueEnrolmentCode, listClinics, listDevices, revokeDevice } from './clinics';
import { searchOrders } from './order-search';
import { orderDetail, requestCancellation } from './orders';
import { authenticateConsole, endConsoleSession, openConsoleSession } from './session';

const ClinicParams = z.object({ clinicId: z.string().uuid() }).strict();
const DeviceParams = ClinicParams.extend({ deviceId: z.string().uuid() }).strict();
const OrderParams = ClinicParams.extend({ orderId: z.string().uuid() }).strict();
const UserParams = z.object({ userId: z.string().uuid() }).strict();
const BankIdParams = z.object({ id: z.string().uuid() }).strict();
const UsersQuery = z.object({ clinicId: z.union([z.string().uuid(), z.literal('none')]).optional(), search: z.string().max(100).optional() }).strict();
const VerifyQuery = z.object({ chainId: z.string().min(1).max(64).optional() }).strict();

/**
 * The console API under /console/api. Every route but login authenticates a console session and
 * checks its permission from src-shared/api/permissions.ts inside the service it calls, so the
 * same check holds for any future caller. Inputs are zod-checked; errors name the field.
 */
export function consoleRoutes(app: FastifyInstance, ctx: AccountsContext, bankid: ServerBankId | null): void {
  const { sdb } = ctx;
  const A = CONSOLE_API;
  const caller = (request: FastifyRequest) => authenticateConsole(ctx, request);

  app.post(`${A}/login`, async (request) => {
    const body = parseInput(ConsoleLogin, request.body, 'body');
    const ip = clientIp(ctx, request);
    const origin = { ip, surface: 'console' as const, deviceId: null };
    const settings = await loadServiceSettings(sdb);
    const user = await checkCredentials(ctx, settings, origin, body);
    await checkAccount(ctx, origin, user, { allowMustChange: false });
    const role = Role.safeParse(user.role);
    if (!role.success || !roleHas(role.data, 'console.access')) {
      await appendServerActivity(sdb, { clinicId: user.clinic_id ?? 'service', actorUserId: user.id, action: 'auth.login', subject: `user:${user.id}`, outcome: 'refused', country: null, ip, details: { why: 'not_system_admin', surface: 'console' } });
      throw refuse(403, 'not_system_admin', 'Only system administrators can log in to the console.');
    }
    const located = await checkCountry(ctx, settings, origin, user, 'password');
    const session = await openConsoleSession(ctx, user, 'password', ip, located);
    await recordLogin(ctx, settings, origin, user, 'password', located, session.token.split('.')[1] ?? '');
    return session;
  });

  app.post(`${A}/password`, async (request) => {
    const body = parseInput(SecretChange, request.body, 'body');
    await changeSecret(ctx, { ip: clientIp(ctx, request), surface: 'console', deviceId: null }, body);
    return { ok: true };
  });

  app.post(`${A}/bankid`, async (request) => startConsoleBankId(ctx, bankid, clientIp(ctx, request)));
  app.post(`${A}/bankid/:id/collect`, async (request) => {
    const { id } = parseInput(BankIdParams, request.params, 'params');
    return pollConsoleBankId(ctx, bankid, id, clientIp(ctx, request));
  });

  app.post(`${A}/logout`, async (request) => {
    const c = await caller(request);
    await endConsoleSession(ctx, c.sessionId);
    return { ok: true };
  });

  app.get(`${A}/me`, async (request): Promise<ConsoleMe> => {
    const c = await caller(request);
    return { user: accountView(c.user), expiresAt: c.expiresAt, method: c.method };
  });

  // ---------- clinics and devices ----------
  app.get(`${A}/clinics`, async (request) => ({ clinics: await listClinics(sdb, (await caller(request)).actor) }));
  app.post(`${A}/clinics`, async (request) => {
    const c = await caller(request);
    return { clinic: await addClinic(sdb, c.actor, parseInput(ClinicCreate, request.body, 'body')) };
  });
  app.get(`${A}/clinics/:clinicId`, async (request) => {
    const c = await caller(request);
    const { clinicId } = parseInput(ClinicParams, request.params, 'params');
    return { clinic: await getClinic(sdb, c.actor, clinicId), devices: await listDevices(sdb, c.actor, clinicId) };
  });
  app.patch(`${A}/clinics/:clinicId`, async (request) => {
    const c = await caller(request);
    const { clinicId } = parseInput(ClinicParams, request.params, 'params');
    return { clinic: await editClinic(sdb, c.actor, clinicId, parseInput(ClinicUpdate, request.body, 'body')) };
  });
  app.post(`${A}/clinics/:clinicId/enrolment-codes`, async (request) => {
    const c = await caller(request);
    const { clinicId } = parseInput(ClinicParams, request.params, 'params');
    const body = parseInput(EnrolmentCodeCreate, request.body, 'body');
    return issueEnrolmentCode(sdb, c.actor, clinicId, body.validHours);
  });
  app.post(`${A}/clinics/:clinicId/devices/:deviceId/revoke`, async (request) => {
    const c = await caller(request);
    const { clinicId, deviceId } = parseInput(DeviceParams, request.params, 'params');
    await revokeDevice(sdb, c.actor, clinicId, deviceId);
    return { ok: true };
  });

  // ---------- users ----------
  app.get(`${A}/users`, async (request) => {
    const c = await caller(request);
    requirePermission(c.actor, 'users.manage_all_clinics');
    const q = parseInput(UsersQuery, request.query, 'query');
    return { users: await listAccounts(sdb, c.actor, { clinicId: q.clinicId === 'none' ? null : q.clinicId, search: q.search }) };
  });
  app.post(`${A}/users`, async (request) => {
    const c = await caller(request);
    return { user: await createAccount(sdb, c.actor, parseInput(AccountCreate, request.body, 'body')) };
  });
  app.patch(`${A}/users/:userId`, async (request) => {
    const c = await caller(request);
    const { userId } = parseInput(UserParams, request.params, 'params');
    return { user: await updateAccount(sdb, c.actor, userId, parseInput(AccountUpdate, request.body, 'body')) };
  });
  app.post(`${A}/users/:userId/reset`, async (request) => {
    const c = await caller(request);
    const { userId } = parseInput(UserParams, request.params, 'params');
    return resetAccount(sdb, c.actor, userId, parseInput(AccountReset, request.body, 'body'));
  });

  app.delete(`${A}/users/:userId`, async (request) => {
    const c = await caller(request);
    const { userId } = parseInput(UserParams, request.params, 'params');
    await removeAccount(sdb, c.actor, userId);
    return { ok: true };
  });

  // ---------- orders ----------
  app.post(`${A}/orders/search`, async (request) => {
    const c = await caller(request);
    return searchOrders(sdb, c.actor, parseInput(ConsoleOrderQuery, request.body, 'body'));
  });
  app.get(`${A}/orders/:clinicId/:orderId`, async (request) => {
    const c = await caller(request);
    const { clinicId, orderId } = parseInput(OrderParams, request.params, 'params');
    return orderDetail(sdb, c.actor, clinicId, orderId);
  });
  app.post(`${A}/orders/:clinicId/:orderId/cancellation-request`, async (request) => {
    const c = await caller(request);
    const { clinicId, orderId } = parseInput(OrderParams, request.params, 'params');
    return { notice: await requestCancellation(sdb, c.actor, clinicId, orderId, parseInput(CancellationRequestInput, request.body, 'body')) };
  });

  // ---------- service settings ----------
  app.get(`${A}/settings`, async (request) => {
    await caller(request);
    return { settings: await loadServiceSettings(sdb) };
  });
  app.put(`${A}/settings`, async (request) => {
    const c = await caller(request);
    requirePermission(c.actor, 'service_settings.write');
    const settings = parseInput(ServiceSettings, request.body, 'body');
    await saveServiceSettings(sdb, settings, c.actor.userId);
    await appendServerActivity(sdb, { clinicId: 'service', actorUserId: c.actor.userId, action: 'settings.service_update', subject: 'service_settings', outcome: 'ok', country: null, ip: c.actor.ip, details: { allowedCountries: settings.countries.allowedCountries.join(','), offlineLoginHours: settings.sessions.offlineLoginHours } });
    return { settings };
  });

  // ---------- activity ----------
  app.get(`${A}/activity`, async (request) => {
    const c = await caller(request);
    return listActivity(sdb, c.actor, parseInput(ActivityQuery, request.query, 'query'));
  });
  app.post(`${A}/activity/verify`, async (request): Promise<ChainVerification> => {
    const c = await caller(request);
    requirePermission(c.actor, 'activity.verify');
    const q = parseInput(VerifyQuery, request.query, 'query');
    const chains = await verifyAllChains(sdb, q.chainId);
    return { ok: chains.every((x) => x.ok), chains, checkedAt: new Date().toISOString() };
  });
}
