import type { FastifyInstance } from 'fastify';
import { EnrolRequest, RefreshRequest } from '../../src-shared/sync/protocol';
import type { AccountsHandle } from '../accounts';
import { DeskLoginRequest, deskLogin } from '../accounts/desk-login';
import { clientIp } from '../accounts/login';
import { authenticateAccess, authenticateDevice, enrolDevice, refreshSession, revokeSession } from '../auth/service';
import type { ServerDb } from '../db/connect';
import { parseInput } from './errors';
import { checkProtocol } from './protocol-version';

export function authRoutes(app: FastifyInstance, sdb: ServerDb, accounts: AccountsHandle): void {
  app.post('/v1/enrol', async (request) => {
    checkProtocol(request);
    const body = parseInput(EnrolRequest, request.body, 'body');
    return enrolDevice(sdb, body.code, body.deviceName);
  });

  app.post('/v1/auth/login', async (request) => {
    checkProtocol(request);
    const device = await authenticateDevice(sdb, request.headers['x-kassa-device'] as string | undefined);
    // Lockout, account state, BankID assertion and country policy: src-server/accounts (issue 6).
    const body = parseInput(DeskLoginRequest, request.body, 'body');
    return deskLogin(accounts.ctx, accounts.bankid, device, clientIp(accounts.ctx, request), body);
  });

  app.post('/v1/auth/refresh', async (request) => {
    checkProtocol(request);
    const device = await authenticateDevice(sdb, request.headers['x-kassa-device'] as string | undefined);
    const body = parseInput(RefreshRequest, request.body, 'body');
    return refreshSession(sdb, device, body.refreshToken);
  });

  app.post('/v1/auth/logout', async (request, reply) => {
    checkProtocol(request);
    const session = await authenticateAccess(sdb, request.headers.authorization);
    await revokeSession(sdb, session.sessionId);
    return reply.status(204).send();
  });

  app.get('/v1/auth/me', async (request) => {
    checkProtocol(request);
    const s = await authenticateAccess(sdb, request.headers.authorization);
    return { userId: s.userId, role: s.role, deviceId: s.device.id, clinicId: s.device.clinicId };
  });
}
