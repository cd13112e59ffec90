import type { Kysely, Transaction } from 'kysely';
import type { AccountsDatabase } from '../accounts/schema';

/** Migration 004_webhooks as Kysely sees it (kept here, like the accounts tables). */
export interface ProviderConfigsTable {
  clinic_id: string;
  paynova_merchant_id: string | null;
  /** AES-256-GCM under KASSA_SERVER_SECRET_KEY (sealed.ts); never returned, never logged. */
  paynova_secret_sealed: string | null;
  twilio_account_sid: string | null;
  twilio_token_sealed: string | null;
  updated_at: string;
}

export interface WebhookEventsTable {
  provider: string;
  event_key: string;
  clinic_id: string;
  outcome: string;
  received_at: string;
}

export interface WebhookDeliveriesTable {
  provider: string;
  body_hash: string;
  received_at: string;
}

export type WebhooksDatabase = AccountsDatabase & {
  provider_configs: ProviderConfigsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
};

export type WebhooksExecutor = Kysely<WebhooksDatabase> | Transaction<WebhooksDatabase>;

/** The same connection typed with the webhook tables. */
export function webhooksDb<T>(db: Kysely<T> | Transaction<T>): WebhooksExecutor {
  return db as unknown as WebhooksExecutor;
}
