import { z } from 'zod';
import type { ServerDb } from '../db/connect';
import type { Sealer } from './sealed';
import { webhooksDb } from './schema';

/**
 * Per-clinic provider config for webhook verification: Paynova merchant id + secret key, Twilio
 * account SID + auth token. The secrets are sealed at rest and only opened to verify a request;
 * nothing here ever returns them to a caller of the API.
 */
export const ProviderConfigInput = z
  .object({
    paynova: z.object({ merchantId: z.string().trim().min(1).max(50), secretKey: z.string().min(8).max(200) }).strict().nullable().optional(),
    twilio: z
      .object({ accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits'), authToken: z.string().min(8).max(200) })
      .strict()
      .nullable()
      .optional(),
  })
  .strict();
export type ProviderConfigInput = z.input<typeof ProviderConfigInput>;

/** What may be shown about a clinic's config: identities and whether a secret is set. */
export interface ProviderConfigView {
  paynova: { merchantId: string; secretKeySet: boolean } | null;
  twilio: { accountSid: string; authTokenSet: boolean } | null;
}

export class MerchantTakenError extends Error {}

const paynovaContext = (clinicId: string) => `kassa:paynova.secretKey:${clinicId}`;
const twilioContext = (clinicId: string) => `kassa:twilio.authToken:${clinicId}`;

/** Sets (or with null clears) a clinic's Paynova and/or Twilio config; absent parts stay. */
export async function setProviderConfig(sdb: ServerDb, sealer: Sealer, clinicId: string, input: ProviderConfigInput): Promise<ProviderConfigView> {
  const parsed = ProviderConfigInput.parse(input);
  const db = webhooksDb(sdb.db);
  const now = new Date().toISOString();
  const patch: Record<string, string | null> = {};
  if (parsed.paynova !== undefined) {
    if (parsed.paynova) {
      const taken = await db.selectFrom('provider_configs').select('clinic_id').where('paynova_merchant_id', '=', parsed.paynova.merchantId).where('clinic_id', '!=', clinicId).executeTakeFirst();
      if (taken) throw new MerchantTakenError(`Paynova merchant ${parsed.paynova.merchantId} is already configured for another clinic.`);
    }
    patch.paynova_merchant_id = parsed.paynova?.merchantId ?? null;
    patch.paynova_secret_sealed = parsed.paynova ? sealer.seal(parsed.paynova.secretKey, paynovaContext(clinicId)) : null;
  }
  if (parsed.twilio !== undefined) {
    patch.twilio_account_sid = parsed.twilio?.accountSid ?? null;
    patch.twilio_token_sealed = parsed.twilio ? sealer.seal(parsed.twilio.authToken, twilioContext(clinicId)) : null;
  }
  await db
    .insertInto('provider_configs')
    .values({ clinic_id: clinicId, paynova_merchant_id: null, paynova_secret_sealed: null, twilio_account_sid: null, twilio_token_sealed: null, ...patch, updated_at: now })
    .onConflict((oc) => oc.column('clinic_id').doUpdateSet({ ...patch, updated_at: now }))
    .execute();
  return providerConfigView(sdb, clinicId);
}

export async function providerConfigView(sdb: ServerDb, clinicId: string): Promise<ProviderConfigView> {
  const row = await webhooksDb(sdb.db).selectFrom('provider_configs').selectAll().where('clinic_id', '=', clinicId).executeTakeFirst();
  return {
    paynova: row?.paynova_merchant_id ? { merchantId: row.paynova_merchant_id, secretKeySet: row.paynova_secret_sealed !== null } : null,
    twilio: row?.twilio_account_sid ? { accountSid: row.twilio_account_sid, authTokenSet: row.twilio_token_sealed !== null } : null,
  };
}

/** The clinic and the opened secret key for a Paynova merchant id, or null if none is configured. */
export async function paynovaMerchant(sdb: ServerDb, sealer: Sealer, merchantId: string): Promise<{ clinicId: string; secretKey: string } | null> {
  const row = await webhooksDb(sdb.db).selectFrom('provider_configs').select(['clinic_id', 'paynova_secret_sealed']).where('paynova_merchant_id', '=', merchantId).executeTakeFirst();
  if (!row?.paynova_secret_sealed) return null;
  return { clinicId: row.clinic_id, secretKey: sealer.open(row.paynova_secret_sealed, paynovaContext(row.clinic_id)) };
}

/**
 * The clinics whose Twilio config has this account SID (optionally only `clinicId`), with their
 * opened auth tokens. Several clinics may share one Twilio account; the callback URL then names
 * the clinic (?clinic=…), which the signature covers.
 */
export async function twilioAccounts(sdb: ServerDb, sealer: Sealer, accountSid: string, clinicId: string | null): Promise<{ clinicId: string; authToken: string }[]> {
  let q = webhooksDb(sdb.db).selectFrom('provider_configs').select(['clinic_id', 'twilio_token_sealed']).where('twilio_account_sid', '=', accountSid);
  if (clinicId !== null) q = q.where('clinic_id', '=', clinicId);
  const rows = await q.execute();
  return rows.flatMap((r) => (r.twilio_token_sealed ? [{ clinicId: r.clinic_id, authToken: sealer.open(r.twilio_token_sealed, twilioContext(r.clinic_id)) }] : []));
}
