import { type Kysely, type Migration } from 'kysely';

/**
 * Provider webhooks on the sync server: each clinic's provider config (the Paynova merchant id and
 * the Twilio account SID in clear, their verification secrets sealed with the server key), and
 * what was received, so a retried delivery is answered without applying it twice and a replayed
 * one is refused.
 */
export const m004_webhooks: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('provider_configs')
      .addColumn('clinic_id', 'text', (c) => c.primaryKey().references('clinics.id'))
      .addColumn('paynova_merchant_id', 'text', (c) => c.unique())
      .addColumn('paynova_secret_sealed', 'text')
      .addColumn('twilio_account_sid', 'text')
      .addColumn('twilio_token_sealed', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('provider_configs_twilio').on('provider_configs').column('twilio_account_sid').execute();

    // One row per provider event (its identity, not its delivery): the idempotency record.
    await db.schema
      .createTable('webhook_events')
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('event_key', 'text', (c) => c.notNull())
      .addColumn('clinic_id', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('webhook_events_pk', ['provider', 'event_key'])
      .execute();

    // One row per accepted delivery (hash of the exact body): the same bytes again are a replay.
    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('body_hash', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('webhook_deliveries_pk', ['provider', 'body_hash'])
      .execute();
  },
};
