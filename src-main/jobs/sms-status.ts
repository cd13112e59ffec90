import { sql, type Kysely, type Transaction } from 'kysely';
import { SmsStatus } from '../../src-shared/schemas/enums';
import { smsNoticeId, SmsStatusNotice } from '../../src-shared/schemas/notices';
import { advanceSmsStatus, classifyTwilioError, SMS_TERMINAL, type SmsErrorDisposition } from '../../src-shared/schemas/providers';
import type { LocalDatabase } from '../db/database';
import type { SmsClient } from '../integrations/twilio/client';

type Db = Kysely<LocalDatabase> | Transaction<LocalDatabase>;

/** What a delivery status means for the desk and for a possible resend. */
export type DeliveryVerdict = 'in_progress' | 'delivered' | 'retry_later' | 'undeliverable' | 'opted_out';

export function deliveryVerdict(status: SmsStatus, errorCode: number | null): DeliveryVerdict {
  if (status === 'delivered' || status === 'read') return 'delivered';
  if (!SMS_TERMINAL.has(status)) return 'in_progress';
  if (status === 'canceled') return 'undeliverable';
  const disposition: SmsErrorDisposition = errorCode ? classifyTwilioError(errorCode).disposition : 'permanent';
  if (disposition === 'opted_out') return 'opted_out';
  // 30003 (handset off) and 30008 may succeed later; 30005/30006/30007 never will.
  return disposition === 'retryable' ? 'retry_later' : 'undeliverable';
}

export interface SmsStatusUpdate {
  readonly sid: string;
  readonly status: SmsStatus;
  readonly errorCode: number | null;
  readonly jobId?: string;
  readonly clinicId?: string;
  readonly subject?: string | null;
}

export interface AppliedStatus {
  readonly status: SmsStatus;
  readonly changed: boolean;
  readonly verdict: DeliveryVerdict;
}

/**
 * Applies a status from a callback or a poll. Callbacks arrive out of order: the stored status only
 * moves forward and never leaves a terminal one (advanceSmsStatus), so a late "sent" cannot undo
 * "delivered". The error code is kept with the status that carried it.
 */
export async function recordSmsStatus(db: Db, update: SmsStatusUpdate, now: Date = new Date()): Promise<AppliedStatus> {
  const status = SmsStatus.parse(update.status);
  const at = now.toISOString();
  const row = await db.selectFrom('sms_message').selectAll().where('sid', '=', update.sid).executeTakeFirst();
  if (!row) {
    // The server's status notice (a Twilio callback) may have been pulled before this desk recorded
    // the message; src-main/sync/apply.ts had no row to move then, so it is folded in here.
    const first = nextSmsState({ status, errorCode: update.errorCode }, (await pulledSmsStatus(db, update.sid)) ?? { status, errorCode: update.errorCode }) ?? { status, errorCode: update.errorCode };
    await db
      .insertInto('sms_message')
      .values({ sid: update.sid, job_id: update.jobId ?? '', clinic_id: update.clinicId ?? '', subject: update.subject ?? null, status: first.status, error_code: first.errorCode, created_at: at, updated_at: at })
      .execute();
    return { status: first.status, changed: true, verdict: deliveryVerdict(first.status, first.errorCode) };
  }
  const current = SmsStatus.parse(row.status);
  const next = nextSmsState({ status: current, errorCode: row.error_code }, { status, errorCode: update.errorCode });
  if (!next) return { status: current, changed: false, verdict: deliveryVerdict(current, row.error_code) };
  await db.updateTable('sms_message').set({ status: next.status, error_code: next.errorCode, updated_at: at }).where('sid', '=', update.sid).execute();
  return { status: next.status, changed: true, verdict: deliveryVerdict(next.status, next.errorCode) };
}

/** The delivery status the server published for a message, if this desk has pulled it. */
async function pulledSmsStatus(db: Db, sid: string): Promise<{ status: SmsStatus; errorCode: number | null } | null> {
  const row = (await sql<{ data: string }>`SELECT data FROM sync_entities WHERE entity = 'notice' AND id = ${smsNoticeId(sid)}`.execute(db)).rows[0];
  const notice = row ? SmsStatusNotice.safeParse(JSON.parse(row.data)) : null;
  return notice?.success ? { status: notice.data.status, errorCode: notice.data.errorCode } : null;
}

/**
 * The one rule for a stored SMS status meeting a reported one (callback, poll, or the server's
 * feed): it only moves forward and never leaves a terminal state (advanceSmsStatus); the error code
 * stays with the status that carried it. Null when nothing changes.
 */
export function nextSmsState(
  stored: { status: SmsStatus; errorCode: number | null },
  reported: { status: SmsStatus; errorCode: number | null },
): { status: SmsStatus; errorCode: number | null } | null {
  const next = advanceSmsStatus(stored.status, reported.status);
  if (next === stored.status) return null;
  return { status: next, errorCode: next === reported.status ? (reported.errorCode ?? stored.errorCode) : stored.errorCode };
}

/** Polling fallback for missed status callbacks: refreshes every message not yet terminal. */
export async function pollSmsStatuses(db: Kysely<LocalDatabase>, sms: SmsClient, now: () => Date = () => new Date()): Promise<number> {
  const open = await db.selectFrom('sms_message').select(['sid', 'subject', 'status']).execute();
  let updated = 0;
  for (const m of open) {
    if (SMS_TERMINAL.has(SmsStatus.parse(m.status))) continue;
    const r = await sms.fetchStatus(m.sid, m.subject);
    if (!r.ok) continue;
    const applied = await recordSmsStatus(db, { sid: m.sid, status: r.value.status, errorCode: r.value.errorCode }, now());
    if (applied.changed) updated += 1;
  }
  return updated;
}
