import type { Kysely } from 'kysely';
import type { ProviderSettings } from '../../src-shared/schemas/providers';
import type { LocalDatabase } from '../db/database';
import { PaynovaClient } from '../integrations/paynova/client';
import { recordProviderCall, type ProviderCallEvent } from '../integrations/provider-call';
import { SmsClient } from '../integrations/twilio/client';
import type { SecretStore } from '../secrets/secret-store';
import { paynovaHandlers } from './paynova-handlers';
import { JobRunner, type JobRunnerHooks, type JobRunnerOptions } from './runner';
import { startReconciliation } from './reconcile';
import { smsHandlers } from './sms-handlers';
import { pollSmsStatuses } from './sms-status';

export interface ProviderRunnerOptions {
  readonly db: Kysely<LocalDatabase>;
  readonly secrets: SecretStore;
  readonly settings: ProviderSettings;
  /** This desk's activity chain (the device id) and clinic, for provider-call records. */
  readonly chainId: string;
  readonly clinicId: string;
  readonly hooks?: JobRunnerHooks;
  readonly backoff?: JobRunnerOptions['backoff'];
  readonly now?: () => Date;
  readonly random?: () => number;
}

/** Replaces every stored secret value in a text, longest first. */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const values = [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  return (text) => values.reduce((t, s) => t.split(s).join('[redacted]'), text);
}

/**
 * The production wiring: clients built from settings with credentials read from the keychain per
 * call, every provider call recorded as an activity record (facts only), and the job handlers.
 */
export async function createProviderRunner(o: ProviderRunnerOptions): Promise<{ runner: JobRunner; paynova: PaynovaClient; sms: SmsClient }> {
  // Its own small transaction: the outcome is recorded even if the process dies right after.
  const record = (event: ProviderCallEvent) => o.db.transaction().execute((trx) => recordProviderCall({ db: trx, chainId: o.chainId, clinicId: o.clinicId }, event));
  const paynova = new PaynovaClient({
    baseUrl: o.settings.paynova.baseUrl,
    timeoutMs: o.settings.paynova.timeoutMs,
    credentials: () => o.secrets.paynovaCredentials(),
    salesChannel: o.settings.paynova.salesChannel,
    salesLocationId: o.settings.paynova.salesLocationId,
    onCall: record,
  });
  const sms = new SmsClient({
    baseUrl: o.settings.twilio.baseUrl,
    timeoutMs: o.settings.twilio.timeoutMs,
    credentials: () => o.secrets.twilioCredentials(),
    senderId: o.settings.twilio.senderId,
    messagingServiceSid: o.settings.twilio.messagingServiceSid,
    statusCallbackUrl: o.settings.twilio.statusCallbackUrl,
    onCall: record,
  });
  const runner = new JobRunner({
    db: o.db,
    handlers: { ...paynovaHandlers(paynova), ...smsHandlers(sms) },
    pollMs: o.settings.polling.jobPollMs,
    redact: redactor(await o.secrets.allValues()),
    ...(o.hooks ? { hooks: o.hooks } : {}),
    ...(o.backoff ? { backoff: o.backoff } : {}),
    ...(o.now ? { now: o.now } : {}),
    ...(o.random ? { random: o.random } : {}),
  });
  return { runner, paynova, sms };
}

export interface RunningProviderJobs {
  readonly runner: JobRunner;
  readonly paynova: PaynovaClient;
  readonly sms: SmsClient;
  /** How many jobs were found in_flight at start (interrupted by a crash) and will check before resending. */
  readonly recovered: number;
  stop(): Promise<void>;
}

/**
 * Starts the desk's provider work: recovers interrupted jobs (call once per process, before any
 * other runner touches this database), runs due jobs, and every reconcile interval enqueues order
 * reconciliation and refreshes SMS delivery states (the fallback for missed webhooks).
 */
export async function startProviderJobs(o: ProviderRunnerOptions & { readonly onError?: (e: unknown) => void }): Promise<RunningProviderJobs> {
  const built = await createProviderRunner(o);
  const recovered = await built.runner.recover();
  built.runner.start();
  const interval = o.settings.polling.reconcileIntervalMs;
  const onError = o.onError ?? (() => undefined);
  const stopReconcile = startReconciliation(o.db, interval, onError);
  const smsTimer = setInterval(() => {
    pollSmsStatuses(o.db, built.sms).catch(onError);
  }, interval);
  smsTimer.unref?.();
  return {
    ...built,
    recovered,
    async stop() {
      stopReconcile();
      clearInterval(smsTimer);
      await built.runner.stop();
    },
  };
}
