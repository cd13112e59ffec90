import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
// The request schema is shared with the desk's upload loop (src-main/sync/activity-upload.ts).
import { ActivityPush } from '../../src-shared/schemas/activity';
import { AccountCreate, AccountReset, AccountUpdate, SecretChange } from '../../src-shared/schemas/accounts';
import { Role } from '../../src-shared/schemas/enums';
import { authenticateAccess, authenticateDevice, authenticateSyncCaller } from '../auth/service';
import { HttpError } from '../http/errors';
import { checkProtocol } from '../http/protocol-version';
import { ActivityUploadRefused, storeDeskActivity } from './activity';
import { parseNamed as parseInput } from './errors';
import { changeSecret, clientIp, type AccountsContext } from './login';
import { createAccount, listAccounts, removeAccount, resetAccount, updateAccount, type Actor } from './manage';

const UserParams = z.object({ userId: z.string().uuid() });
const ListQuery = z.object({ search: z.string().max(100).optional() }).strict();

/**
 * The desk-facing accounts API. Secret changes are device-authenticated (a first login has no
 * session yet); user management needs a desk session whose role has users.manage and is scoped to
 * the session's clinic, whatever the request says.
 */
export function accountsRoutes(app: FastifyInstance, ctx: AccountsContext): void {
  const { sdb } = ctx;
  const actorOf = async (request: FastifyRequest): Promise<Actor> => {
    const s = await authenticateAccess(sdb, request.headers.authorization);
    return { userId: s.userId, role: Role.parse(s.role), clinicId: s.role === 'system_admin' ? null : s.device.clinicId, ip: clientIp(ctx, request) };
  };

  app.post('/v1/auth/password', async (request) => {
    checkProtocol(request);
    const device = await authenticateDevice(sdb, request.headers['x-kassa-device'] as string | undefined);
    const body = parseInput(SecretChange, request.body, 'body');
    const user = await changeSecret(ctx, { ip: clientIp(ctx, request), surface: 'desk', deviceId: device.id }, body);
    return { ok: true, userId: user.id };
  });

  app.get('/v1/accounts/users', async (request) => {
    checkProtocol(request);
    const actor = await actorOf(request);
    const q = parseInput(ListQuery, request.query, 'query');
    // A desk session works in its device's clinic, even for a system administrator at a desk.
    return { users: await listAccounts(sdb, actor, { clinicId: actor.clinicId ?? undefined, search: q.search }) };
  });

  app.post('/v1/accounts/users', async (request) => {
    checkProtocol(request);
    const actor = await actorOf(request);
    const body = parseInput(AccountCreate, request.body, 'body');
    return { user: await createAccount(sdb, actor, body) };
  });

  app.patch('/v1/accounts/users/:userId', async (request) => {
    checkProtocol(request);
    const actor = await actorOf(request);
    const { userId } = parseInput(UserParams, request.params, 'params');
    return { user: await updateAccount(sdb, actor, userId, parseInput(AccountUpdate, request.body, 'body')) };
  });

  app.post('/v1/accounts/users/:userId/reset', async (request) => {
    checkProtocol(request);
    const actor = await actorOf(request);
    const { userId } = parseInput(UserParams, request.params, 'params');
    return resetAccount(sdb, actor, userId, parseInput(AccountReset, request.body, 'body'));
  });

  app.delete('/v1/accounts/users/:userId', async (request) => {
    checkProtocol(request);
    const actor = await actorOf(request);
    const { userId } = parseInput(UserParams, request.params, 'params');
    await removeAccount(sdb, actor, userId);
    return { ok: true };
  });

  /** A desk uploads its activity chain; the server stores it only as an exact continuation. */
  app.post('/v1/activity/push', { bodyLimit: 4 * 1024 * 1024 }, async (request) => {
    checkProtocol(request);
    const device = await authenticateSyncCaller(sdb, request.headers.authorization);
    const body = parseInput(ActivityPush, request.body, 'body');
    try {
      return await storeDeskActivity(sdb, device, body.records);
    } catch (e) {
      if (e instanceof ActivityUploadRefused) throw new HttpError(409, 'activity_chain_refused', `body.${e.field}: ${e.message}`, { field: `body.${e.field}` });
      throw e;
    }
  });
}
