import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { sameDigest, sha256 } from '../auth/crypto';
import type { ServerDb } from '../db/connect';
import { HttpError, parseInput } from '../http/errors';
import type { HookReply } from './form';
import { DEFAULT_PAYNOVA_HOOK_OPTIONS, handlePaynovaHook, type PaynovaHookOptions } from './paynova';
import { MerchantTakenError, ProviderConfigInput, providerConfigView, setProviderConfig } from './provider-config';
import { createSealer, ServerKeyError, type Sealer } from './sealed';
import { handleTwilioHook } from './twilio';

export { setProviderConfig, providerConfigView, type ProviderConfigInput, type ProviderConfigView } from './provider-config';
export { createSealer, type Sealer } from './sealed';

export interface WebhookOptions {
  /** Bootstrap admin token (KASSA_ADMIN_TOKEN): guards the provider-config route. */
  readonly adminToken?: string | undefined;
  /** Default: env KASSA_SERVER_SECRET_KEY, read when a secret is sealed or opened. */
  readonly serverSecretKey?: string | undefined;
  /** The URL Twilio posts to, for its signature. Default: env KASSA_PUBLIC_URL, else the request's host. */
  readonly publicBaseUrl?: string | undefined;
  readonly paynova?: Partial<PaynovaHookOptions>;
}

/** Event hooks and status callbacks are small: Paynova's are ~1 KB, Twilio's under 2 KB. */
const HOOK_BODY_LIMIT = 16 * 1024;
const FORM = 'application/x-www-form-urlencoded';
const ClinicParams = z.object({ clinicId: z.uuid() });

/**
 * Provider webhooks on the sync server (ARCHITECTURE.md "Integrations"): Paynova event hooks and
 * Twilio status callbacks, verified against the clinic's provider config and turned into
 * change-feed writes for the clinic's desks. Plus the bootstrap admin route that sets that config.
 */
export async function registerWebhooks(app: FastifyInstance, sdb: ServerDb, opts: WebhookOptions = {}): Promise<Sealer> {
  const sealer = createSealer(() => opts.serverSecretKey ?? process.env.KASSA_SERVER_SECRET_KEY);
  const publicBaseUrl = (opts.publicBaseUrl ?? process.env.KASSA_PUBLIC_URL ?? '').replace(/\/+$/, '');
  const paynovaOpts: PaynovaHookOptions = { ...DEFAULT_PAYNOVA_HOOK_OPTIONS, ...opts.paynova };

  await app.register(async (scope) => {
    // The raw body is what Pn-Digest and X-Twilio-Signature cover: keep it as received.
    scope.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: HOOK_BODY_LIMIT }, (_request, body, done) => done(null, body));
    const rawBody = (request: FastifyRequest): string => {
      const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== FORM || typeof request.body !== 'string') throw new HttpError(415, 'unsupported_media_type', `A webhook body must be ${FORM}.`);
      return request.body;
    };
    const header = (request: FastifyRequest, name: string): string | undefined => {
      const v = request.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const send = (reply: { code(n: number): { send(b: unknown): unknown } }, r: HookReply) => reply.code(r.status).send(r.body);

    scope.post('/v1/webhooks/paynova', { bodyLimit: HOOK_BODY_LIMIT }, async (request, reply) =>
      send(reply, await handlePaynovaHook(sdb, sealer, paynovaOpts, { rawBody: rawBody(request), pnDigest: header(request, 'pn-digest'), ip: request.ip })),
    );
    scope.post('/v1/webhooks/twilio', { bodyLimit: HOOK_BODY_LIMIT }, async (request, reply) => {
      const base = publicBaseUrl || `${request.protocol}://${request.headers.host ?? request.hostname}`;
      return send(reply, await handleTwilioHook(sdb, sealer, { rawBody: rawBody(request), signature: header(request, 'x-twilio-signature'), url: `${base}${request.url}`, query: request.query, ip: request.ip }));
    });
  });

  const expected = opts.adminToken ? sha256(opts.adminToken) : null;
  const guard = async (request: FastifyRequest): Promise<string> => {
    const given = /^Admin (.{16,256})$/.exec(request.headers.authorization ?? '')?.[1];
    if (!expected) throw new HttpError(403, 'admin_disabled', 'Bootstrap administration is disabled on this server (no KASSA_ADMIN_TOKEN).');
    if (!given || !sameDigest(expected, sha256(given))) throw new HttpError(401, 'bad_admin_token', 'The administration token is not valid.');
    const { clinicId } = parseInput(ClinicParams, request.params, 'params');
    if (!(await sdb.db.selectFrom('clinics').select('id').where('id', '=', clinicId).executeTakeFirst())) throw new HttpError(404, 'unknown_clinic', 'This clinic does not exist.');
    return clinicId;
  };
  // Answers with identities and "is a secret set", never with a secret.
  app.get('/v1/admin/clinics/:clinicId/provider-config', async (request) => providerConfigView(sdb, await guard(request)));
  app.put('/v1/admin/clinics/:clinicId/provider-config', async (request) => {
    const clinicId = await guard(request);
    const input = parseInput(ProviderConfigInput, request.body, 'body');
    try {
      return await setProviderConfig(sdb, sealer, clinicId, input);
    } catch (e) {
      if (e instanceof MerchantTakenError) throw new HttpError(409, 'merchant_taken', e.message, { field: 'body.paynova.merchantId' });
      if (e instanceof ServerKeyError) throw new HttpError(503, 'server_key_missing', e.message);
      throw e;
    }
  });
  return sealer;
}
