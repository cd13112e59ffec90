import type { Transaction } from 'kysely';
import { err, ok, type Result } from '../../src-shared/domain/result';
import type { Language } from '../../src-shared/schemas/enums';
import type { ProviderSettings, SmsTemplateKey } from '../../src-shared/schemas/providers';
import type { LocalDatabase } from '../db/database';
import { renderSms, type SmsValues, type TemplateError } from '../integrations/twilio/templates';
import { enqueueJob, type EnqueuedJob } from './queue';

export interface PatientSmsInput {
  readonly clinicId: string;
  readonly patientId: string;
  /** E.164 mobile number. */
  readonly to: string;
  readonly language: Language;
  /** The patient replied STOP once (Twilio 21610): no SMS, ever, until they opt in again. */
  readonly optedOut: boolean;
  readonly template: SmsTemplateKey;
  readonly values: SmsValues;
  /** e.g. `invoice:<id>:invoice_issued`: the same event never texts twice. */
  readonly idempotencyKey: string;
  readonly subject?: string | null;
  readonly overrides?: ProviderSettings['sms']['templates'];
  readonly notBefore?: Date;
}

export type PatientSmsError = TemplateError | { readonly code: 'sms.opted_out'; readonly message: string };

/**
 * Renders a patient SMS and enqueues it in the caller's transaction. The body is fixed now, so a
 * retry sends — and a crash recovery looks for — exactly this text. Refuses opted-out patients
 * with a reason the desk can show.
 */
export async function enqueuePatientSms(trx: Transaction<LocalDatabase>, input: PatientSmsInput): Promise<Result<EnqueuedJob, PatientSmsError>> {
  if (input.optedOut) return err({ code: 'sms.opted_out', message: 'The patient has opted out of SMS (replied STOP)' });
  const body = renderSms(input.template, input.language, input.values, input.overrides);
  if (!body.ok) return body;
  const job = await enqueueJob(trx, {
    kind: 'sms.send',
    idempotencyKey: input.idempotencyKey,
    clinicId: input.clinicId,
    subject: input.subject ?? `patient:${input.patientId}`,
    payload: { to: input.to, body: body.value, patientId: input.patientId, template: input.template },
    ...(input.notBefore ? { notBefore: input.notBefore } : {}),
  });
  return ok(job);
}
