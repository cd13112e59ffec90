import twilio from 'twilio';
import { err, ok, type Result } from '../../../src-shared/domain/result';
import { SmsStatus } from '../../../src-shared/schemas/enums';
import { classifyTwilioError, TwilioMessageResource, type SmsErrorDisposition } from '../../../src-shared/schemas/providers';
import { transportFailure } from '../http-errors';
import type { ProviderCallListener } from '../provider-call';

export interface TwilioCredentials {
  readonly accountSid: string;
  readonly authToken: string;
}

export interface SmsClientOptions {
  /** null = the SDK's own host. A simulator or proxy URL replaces `client.api.baseUrl`. */
  readonly baseUrl: string | null;
  readonly timeoutMs: number;
  readonly credentials: () => Promise<TwilioCredentials>;
  /** Alphanumeric sender id or number; ignored when a messaging service is set. */
  readonly senderId: string | null;
  readonly messagingServiceSid: string | null;
  readonly statusCallbackUrl: string | null;
  readonly onCall?: ProviderCallListener;
}

export type SmsErrorCode = 'sms.opted_out' | 'sms.invalid_number' | 'sms.not_mobile' | 'sms.permanent' | 'sms.retryable' | 'sms.transport' | 'sms.no_credentials' | 'sms.bad_response' | 'sms.not_configured';

export interface SmsError {
  readonly code: SmsErrorCode;
  readonly message: string;
  readonly disposition: SmsErrorDisposition;
  /** Twilio's error code, kept raw (21610, 30003, ...). */
  readonly twilioCode: number | null;
  readonly httpStatus?: number;
  /** Twilio may have queued the message although we saw no answer: check before re-sending. */
  readonly maybeDelivered: boolean;
}

export interface SentSms {
  readonly sid: string;
  readonly status: SmsStatus;
  readonly numSegments: number | null;
}

export interface SmsState {
  readonly sid: string;
  readonly status: SmsStatus;
  readonly errorCode: number | null;
  /** Set when the delivery error means something for the patient record (e.g. opted out). */
  readonly disposition: SmsErrorDisposition | null;
}

function codeFor(twilioCode: number | null, disposition: SmsErrorDisposition): SmsErrorCode {
  if (disposition === 'opted_out') return 'sms.opted_out';
  if (twilioCode === 21211) return 'sms.invalid_number';
  if (twilioCode === 21614) return 'sms.not_mobile';
  return disposition === 'retryable' ? 'sms.retryable' : 'sms.permanent';
}

/** Builds an SmsError from a Twilio RestException or a transport failure, without any request data. */
export function smsErrorFrom(error: unknown): SmsError {
  const e = error as { status?: unknown; code?: unknown; message?: unknown } | null;
  if (e && typeof e.status === 'number' && e.status >= 400) {
    const twilioCode = typeof e.code === 'number' ? e.code : null;
    const c = classifyTwilioError(twilioCode, e.status);
    return { code: codeFor(twilioCode, c.disposition), message: `${c.label}${twilioCode ? ` (Twilio ${twilioCode})` : ` (HTTP ${e.status})`}`, disposition: c.disposition, twilioCode, httpStatus: e.status, maybeDelivered: e.status >= 500 };
  }
  const t = transportFailure(error);
  return { code: 'sms.transport', message: `Twilio: ${t.message}`, disposition: 'retryable', twilioCode: null, maybeDelivered: t.maybeDelivered };
}

function statusOf(raw: string): SmsStatus | null {
  const r = SmsStatus.safeParse(raw);
  return r.success ? r.data : null;
}

/** Twilio Programmable Messaging through the official SDK. */
export class SmsClient {
  private cached: { key: string; client: twilio.Twilio } | null = null;

  constructor(private readonly options: SmsClientOptions) {}

  private async client(): Promise<twilio.Twilio> {
    const creds = await this.options.credentials();
    const key = `${creds.accountSid}\u0000${creds.authToken}`;
    if (this.cached?.key === key) return this.cached.client;
    const client = twilio(creds.accountSid, creds.authToken, {
      timeout: this.options.timeoutMs,
      // Retries belong to our durable job runner, which knows whether a send is safe to repeat.
      autoRetry: false,
      // An inherited TWILIO_EDGE/TWILIO_REGION would rewrite the simulator's host name.
      ...(this.options.baseUrl ? { edge: '', region: '' } : {}),
      env: {},
    });
    if (this.options.baseUrl) client.api.baseUrl = this.options.baseUrl.replace(/\/+$/, '');
    this.cached = { key, client };
    return client;
  }

  async send(input: { to: string; body: string; subject: string | null }): Promise<Result<SentSms, SmsError>> {
    if (!this.options.messagingServiceSid && !this.options.senderId) {
      return err({ code: 'sms.not_configured', message: 'No SMS sender id or messaging service is configured', disposition: 'permanent', twilioCode: null, maybeDelivered: false });
    }
    return this.observe('sendMessage', input.subject, async (client) => {
      const message = await client.messages.create({
        to: input.to,
        body: input.body,
        ...(this.options.messagingServiceSid ? { messagingServiceSid: this.options.messagingServiceSid } : { from: this.options.senderId ?? '' }),
        ...(this.options.statusCallbackUrl ? { statusCallback: this.options.statusCallbackUrl } : {}),
      });
      const parsed = TwilioMessageResource.safeParse(message.toJSON());
      const status = parsed.success ? statusOf(parsed.data.status) : null;
      if (!parsed.success || !status) {
        // Created (2xx) but unreadable: it was sent, so this must not be retried blindly.
        return err({ code: 'sms.bad_response', message: 'Twilio accepted the message but its answer was unreadable', disposition: 'retryable', twilioCode: null, maybeDelivered: true });
      }
      return ok({ sid: parsed.data.sid, status, numSegments: parsed.data.numSegments ?? null });
    });
  }

  /**
   * Was a message with exactly this body sent to this number since `after`? Used before re-sending
   * after a crash or a lost answer: Twilio has no idempotency key, so its message list is the only
   * source of truth. Deliberately NOT filtered by DateSent: a message still queued/accepted has no
   * date_sent yet and would be missed — exactly the one a crash right after sending leaves behind.
   * The list is newest first; the body and date_created bound the match instead, and `exclude`
   * (sids other jobs already own, e.g. the original of a resend with the same text) keeps a
   * look-alike from being mistaken for ours.
   */
  async findSent(input: { to: string; body: string; after: Date; subject: string | null; exclude?: ReadonlySet<string> }): Promise<Result<SmsState | null, SmsError>> {
    return this.observe('listMessages', input.subject, async (client) => {
      const messages = await client.messages.list({ to: input.to, limit: 100, pageSize: 100 });
      for (const m of messages) {
        const parsed = TwilioMessageResource.safeParse(m.toJSON());
        if (!parsed.success || parsed.data.body !== input.body || input.exclude?.has(parsed.data.sid)) continue;
        const created = parsed.data.dateCreated ? new Date(parsed.data.dateCreated) : null;
        // A minute of slack for clock skew between this desk and Twilio.
        if (created && !Number.isNaN(created.getTime()) && created.getTime() < input.after.getTime() - 60_000) continue;
        const status = statusOf(parsed.data.status) ?? 'queued';
        const code = parsed.data.errorCode ?? null;
        return ok({ sid: parsed.data.sid, status, errorCode: code, disposition: code ? classifyTwilioError(code).disposition : null });
      }
      return ok(null);
    });
  }

  /** Polling fallback when a status callback is missed. */
  async fetchStatus(sid: string, subject: string | null): Promise<Result<SmsState, SmsError>> {
    return this.observe('fetchMessage', subject, async (client) => {
      const m = await client.messages(sid).fetch();
      const parsed = TwilioMessageResource.safeParse(m.toJSON());
      const status = parsed.success ? statusOf(parsed.data.status) : null;
      if (!parsed.success || !status) return err({ code: 'sms.bad_response', message: 'Twilio message status was unreadable', disposition: 'retryable', twilioCode: null, maybeDelivered: false });
      const code = parsed.data.errorCode ?? null;
      return ok({ sid, status, errorCode: code, disposition: code ? classifyTwilioError(code).disposition : null });
    });
  }

  private async observe<T>(operation: string, subject: string | null, fn: (client: twilio.Twilio) => Promise<Result<T, SmsError>>): Promise<Result<T, SmsError>> {
    const started = Date.now();
    let result: Result<T, SmsError>;
    let client: twilio.Twilio | null = null;
    try {
      client = await this.client();
    } catch (_e) {
      result = err({ code: 'sms.no_credentials', message: 'Twilio credentials are not set up in the keychain', disposition: 'permanent', twilioCode: null, maybeDelivered: false });
    }
    if (client) {
      try {
        result = await fn(client);
      } catch (error) {
        result = err(smsErrorFrom(error));
      }
    }
    const r = result!;
    if (this.options.onCall) {
      const e = r.ok ? null : r.error;
      await this.options.onCall({
        provider: 'twilio',
        operation,
        subject,
        durationMs: Date.now() - started,
        outcome: !e ? 'ok' : e.disposition === 'opted_out' ? 'refused' : 'failed',
        ...(e ? { errorCode: e.code } : {}),
        ...(e?.twilioCode ? { errorNumber: e.twilioCode } : {}),
        ...(e?.httpStatus !== undefined ? { httpStatus: e.httpStatus } : {}),
      });
    }
    return r;
  }
}
