import type { Kysely } from 'kysely';
import type { LocalDatabase } from '../db/database';
import type { SmsClient, SmsError } from '../integrations/twilio/client';
import type { SmsStatus } from '../../src-shared/schemas/enums';
import type { JobHandler, JobOutcome } from './runner';
import { recordSmsStatus } from './sms-status';

/** 21610 → opted out (the caller stores it on the patient); other permanent codes → failed with the code. */
export function outcomeOfSmsError(e: SmsError): JobOutcome {
  if (e.disposition === 'retryable') return { type: 'retry', error: e.message, code: e.code, maybeDelivered: e.maybeDelivered };
  if (e.disposition === 'opted_out') {
    return { type: 'failed', error: e.message, code: e.code, result: { outcome: 'opted_out', twilioCode: e.twilioCode, optedOut: true } };
  }
  if (e.code === 'sms.no_credentials' || e.code === 'sms.not_configured' || e.twilioCode === 20003) {
    return { type: 'dead', error: `${e.message} — check the Twilio settings`, code: e.code };
  }
  return { type: 'failed', error: e.message, code: e.code, result: { outcome: 'rejected', twilioCode: e.twilioCode } };
}

async function remember(db: Kysely<LocalDatabase>, jobId: string, clinicId: string, subject: string | null, sid: string, status: SmsStatus, errorCode: number | null, now: Date) {
  await recordSmsStatus(db, { sid, jobId, clinicId, subject, status, errorCode }, now);
}

export function smsHandlers(sms: SmsClient) {
  const send: JobHandler<'sms.send'> = async (ctx) => {
    const { to, body } = ctx.payload;
    const subject = ctx.job.subject;
    if (ctx.uncertain) {
      // The last run may have reached Twilio: ask before sending a second copy to the patient.
      const since = new Date(ctx.firstSentAfter.getTime() - 86_400_000).toISOString();
      const others = await ctx.db.selectFrom('sms_message').select('sid').where('job_id', '!=', ctx.job.id).where('created_at', '>=', since).execute();
      const found = await sms.findSent({ to, body, after: ctx.firstSentAfter, subject, exclude: new Set(others.map((o) => o.sid)) });
      if (!found.ok) {
        const o = outcomeOfSmsError(found.error);
        // Never send blind: if we cannot look, try looking again later (or stop if a person must act).
        return o.type === 'dead' ? o : { type: 'retry', error: `Could not check whether the SMS was already sent: ${found.error.message}`, code: found.error.code, maybeDelivered: true };
      }
      if (found.value) {
        await remember(ctx.db, ctx.job.id, ctx.clinicId, subject, found.value.sid, found.value.status, found.value.errorCode, ctx.now());
        return { type: 'succeeded', result: { sid: found.value.sid, status: found.value.status, recoveredAfterRetry: true } };
      }
    }
    const r = await sms.send({ to, body, subject });
    if (!r.ok) return outcomeOfSmsError(r.error);
    await remember(ctx.db, ctx.job.id, ctx.clinicId, subject, r.value.sid, r.value.status, null, ctx.now());
    return { type: 'succeeded', result: { sid: r.value.sid, status: r.value.status, numSegments: r.value.numSegments } };
  };
  return { 'sms.send': send } as const;
}
