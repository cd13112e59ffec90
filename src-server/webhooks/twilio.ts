import twilio from 'twilio';
import { z } from 'zod';
import type { Patient } from '../../src-shared/schemas/entities';
import { SmsStatus } from '../../src-shared/schemas/enums';
import { advanceSmsStatus, classifyTwilioError, TwilioStatusCallback } from '../../src-shared/schemas/providers';
import { smsNoticeId, type SmsStatusNotice } from '../../src-shared/schemas/notices';
import type { ServerDb } from '../db/connect';
import { inClinicTransaction } from '../sync/transact';
import { hookActivity, parseForm, refusal, type HookReply } from './form';
import { twilioAccounts } from './provider-config';
import { ServerKeyError, type Sealer } from './sealed';

/** The status callback's fields (providers.ts), bounded for an outside input. */
export const TwilioHookBody = TwilioStatusCallback.extend({
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'must be SM followed by 32 hex digits'),
  MessageStatus: SmsStatus,
  AccountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits'),
  To: z.string().max(64).optional(),
  ErrorCode: z.string().regex(/^\d{1,6}$/, 'must be a number').transform(Number).optional(),
}).catchall(z.string().max(2000));

export const TwilioHookQuery = z.object({ clinic: z.uuid().optional() }).strict();

// The SMS delivery state the feed carries (a `notice` per message, updated in place): its schema
// is shared with the desk, which parses it off the feed (src-shared/schemas/notices.ts).
export { smsNoticeId };
const OPTED_OUT = 21610;

export interface TwilioHookRequest {
  readonly rawBody: string;
  readonly signature: string | undefined;
  /** The full public URL Twilio posted to (configured base URL + path and query). */
  readonly url: string;
  readonly query: unknown;
  readonly ip: string;
}

/**
 * POST /v1/webhooks/twilio. The signature (the SDK's validateRequest with the clinic's auth token
 * over the full URL and the form) decides everything; then in ONE clinic transaction the message's
 * status moves forward only (advanceSmsStatus: never back from a terminal status, so a late "sent"
 * cannot undo "delivered"), and 21610 marks every patient of the clinic with that number opted
 * out, with the reason the desk shows.
 */
export async function handleTwilioHook(sdb: ServerDb, sealer: Sealer, req: TwilioHookRequest): Promise<HookReply> {
  const query = TwilioHookQuery.safeParse(req.query ?? {});
  if (!query.success) return refusal(400, 'invalid_request', `query.${query.error.issues[0]?.path.join('.') ?? ''}: ${query.error.issues[0]?.message ?? 'invalid'}`, 'query');
  const parsed = parseForm(TwilioHookBody, req.rawBody);
  if (!parsed.ok) return parsed.reply;
  const f = parsed.value;
  const facts = { accountSid: f.AccountSid, messageSid: f.MessageSid, messageStatus: f.MessageStatus };
  const refuse = async (clinicId: string, status: number, error: string, message: string) => {
    await hookActivity(sdb, { clinicId, action: 'webhook.twilio', subject: `sms:${f.MessageSid}`, outcome: 'refused', ip: req.ip, details: { ...facts, why: error } });
    return refusal(status, error, message);
  };

  let accounts: { clinicId: string; authToken: string }[];
  try {
    accounts = await twilioAccounts(sdb, sealer, f.AccountSid, query.data.clinic ?? null);
  } catch (e) {
    if (e instanceof ServerKeyError) return refusal(503, 'webhooks_not_configured', 'This server cannot verify provider webhooks (no usable server key).');
    throw e;
  }
  if (accounts.length === 0) return refuse('service', 403, 'unknown_account', 'No clinic is configured for this Twilio account.');
  if (accounts.length > 1) return refuse('service', 400, 'ambiguous_account', 'Several clinics use this Twilio account: the StatusCallback URL must name the clinic (?clinic=<id>).');
  const { clinicId, authToken } = accounts[0]!;
  if (req.signature === undefined) return refuse(clinicId, 401, 'signature_missing', 'The X-Twilio-Signature header is missing.');
  if (!twilio.validateRequest(authToken, req.signature, req.url, parsed.form)) {
    return refuse(clinicId, 403, 'bad_signature', 'The status callback is not signed with this account\'s auth token.');
  }

  const errorCode = f.ErrorCode ?? null;
  const { value } = await inClinicTransaction(sdb, clinicId, async (w, trx, at): Promise<HookReply> => {
    const id = smsNoticeId(f.MessageSid);
    const current = (await w.get('notice', id)) as unknown as SmsStatusNotice | null;
    const next = advanceSmsStatus(current?.status ?? null, f.MessageStatus);
    let changed = false;
    if (!current || next !== current.status) {
      const code = next === f.MessageStatus ? errorCode : current?.errorCode ?? null;
      const label = code === null ? null : classifyTwilioError(code).label;
      const notice: SmsStatusNotice = {
        kind: 'sms_status', id, messageSid: f.MessageSid, status: next, errorCode: code, errorLabel: label, at,
        message: `SMS ${f.MessageSid}: ${next}${label ? ` (${label}, Twilio ${code})` : ''}.`,
      };
      w.put('notice', id, notice as unknown as Record<string, unknown>, null);
      changed = true;
    }
    let optedOut = 0;
    if (errorCode === OPTED_OUT && f.To) {
      const reason = `${classifyTwilioError(OPTED_OUT).label} (Twilio ${OPTED_OUT}, ${at.slice(0, 10)}).`;
      // Patients are JSON documents; the number is matched in the stored text, then checked exactly.
      const rows = await trx.selectFrom('entity_docs').select(['id', 'data']).where('clinic_id', '=', clinicId).where('entity', '=', 'patient').where('data', 'like', `%"phone":${JSON.stringify(f.To)}%`).execute();
      for (const r of rows) {
        const p = JSON.parse(r.data) as Patient;
        if (p.phone !== f.To || (!p.smsConsent && p.smsBlockedReason)) continue;
        w.put('patient', p.id, { ...p, smsConsent: false, smsBlockedReason: reason.slice(0, 200), updatedAt: at }, null);
        optedOut += 1;
      }
      await hookActivity(sdb, { clinicId, action: 'webhook.twilio', subject: `sms:${f.MessageSid}`, outcome: 'ok', ip: req.ip, details: { ...facts, result: 'opted_out', patients: optedOut } }, trx);
    }
    return { status: 200, body: { ok: true, status: next, changed, optedOut } };
  });
  return value;
}
