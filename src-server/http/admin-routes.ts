import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { createClinic, ClinicInput, createUser, PriceItemInput, recordProviderPayment, upsertPriceItem, UserInput, updateClinicSettings } from '../admin';
import { createEnrolmentCode } from '../auth/service';
import { sameDigest, sha256 } from '../auth/crypto';
import type { ServerDb } from '../db/connect';
import { HttpError, parseInput } from './errors';

const ClinicParams = z.object({ clinicId: z.string().uuid() });

/**
 * Bootstrap administration, guarded by a token from the environment (KASSA_ADMIN_TOKEN) until the
 * accounts issue brings system-admin sessions and the console. Disabled when no token is set.
 */
export function adminRoutes(app: FastifyInstance, sdb: ServerDb, adminToken: string | undefined): void {
  const expected = adminToken ? sha256(adminToken) : null;
  const guard = (request: FastifyRequest) => {
    const given = /^Admin (.{16,256})$/.exec(request.headers.authorization ?? '')?.[1];
    if (!expected) throw new HttpError(403, 'admin_disabled', 'Bootstrap administration is disabled on this server (no KASSA_ADMIN_TOKEN).');
    if (!given || !sameDigest(expected, sha256(given))) throw new HttpError(401, 'bad_admin_token', 'The administration token is not valid.');
  };
  const clinicOf = async (request: FastifyRequest) => {
    const { clinicId } = parseInput(ClinicParams, request.params, 'params');
    const exists = await sdb.db.selectFrom('clinics').select('id').where('id', '=', clinicId).executeTakeFirst();
    if (!exists) throw new HttpError(404, 'unknown_clinic', 'This clinic does not exist.');
    return clinicId;
  };

  app.post('/v1/admin/clinics', async (request) => {
    guard(request);
    return { clinicId: await createClinic(sdb, parseInput(ClinicInput, request.body, 'body')) };
  });
  app.put('/v1/admin/clinics/:clinicId/settings', async (request) => {
    guard(request);
    const clinicId = await clinicOf(request);
    await updateClinicSettings(sdb, clinicId, parseInput(z.record(z.string(), z.unknown()), request.body, 'body'));
    return { ok: true };
  });
  app.post('/v1/admin/clinics/:clinicId/users', async (request) => {
    guard(request);
    const clinicId = await clinicOf(request);
    const body = parseInput(UserInput, request.body, 'body');
    const taken = await sdb.db.selectFrom('users').select('id').where('username', '=', body.username).executeTakeFirst();
    if (taken) throw new HttpError(409, 'username_taken', `The username ${body.username} is already taken.`, { field: 'body.username' });
    return { userId: await createUser(sdb, clinicId, body) };
  });
  app.post('/v1/admin/clinics/:clinicId/enrolment-codes', async (request) => {
    guard(request);
    const clinicId = await clinicOf(request);
    return { code: await createEnrolmentCode(sdb, clinicId, 'bootstrap-admin') };
  });
  app.post('/v1/admin/clinics/:clinicId/price-items', async (request) => {
    guard(request);
    const clinicId = await clinicOf(request);
    return { id: await upsertPriceItem(sdb, clinicId, parseInput(PriceItemInput, request.body, 'body')) };
  });
  // Stands in for the Paynova webhook until the integrations issue lands on the server.
  app.post('/v1/admin/clinics/:clinicId/payments', async (request) => {
    guard(request);
    const clinicId = await clinicOf(request);
    const body = parseInput(z.object({ orderId: z.string().uuid(), amount: z.number().int().positive().safe() }), request.body, 'body');
    const order = await sdb.db.selectFrom('entities').select('id').where('clinic_id', '=', clinicId).where('entity', '=', 'order').where('id', '=', body.orderId).executeTakeFirst();
    if (!order) throw new HttpError(404, 'unknown_order', 'This order does not exist in this clinic.', { field: 'body.orderId' });
    return recordProviderPayment(sdb, clinicId, body.orderId, body.amount);
  });
}
