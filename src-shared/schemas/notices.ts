import { z } from 'zod';
import { CancellationRequestNotice } from './console';
import { SmsStatus } from './enums';

/**
 * Notices: what the server tells a clinic's desks on the change feed (entity `notice`) that is
 * not itself a domain entity (also `rejected_mutation`, see src-server/sync). The server writes them;
 * the desk parses the kinds it acts on with these schemas (the feed is outside input).
 */

/** The delivery state of one SMS, from Twilio's status callback; one notice per message, updated in place. */
export const SmsStatusNotice = z.object({
  kind: z.literal('sms_status'),
  id: z.string().min(1).max(128),
  messageSid: z.string().min(1).max(64),
  status: SmsStatus,
  errorCode: z.number().int().nullable(),
  errorLabel: z.string().nullable(),
  at: z.string(),
  message: z.string(),
});
export type SmsStatusNotice = z.infer<typeof SmsStatusNotice>;

export const smsNoticeId = (messageSid: string) => `sms:${messageSid}`;

export { CancellationRequestNotice };
