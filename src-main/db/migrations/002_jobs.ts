import { sql, type Kysely, type Migration } from 'kysely';

export const m002_jobs: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('job')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('idempotency_key', 'text', (c) => c.notNull())
      .addColumn('clinic_id', 'text', (c) => c.notNull())
      .addColumn('subject', 'text')
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('progress', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('pending','in_flight','succeeded','failed','dead','cancelled')`))
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('max_attempts', 'integer', (c) => c.notNull())
      .addColumn('next_run_at', 'text', (c) => c.notNull())
      .addColumn('in_flight_since', 'text')
      .addColumn('uncertain', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .addColumn('last_error_code', 'text')
      .addColumn('result', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      // The same order number can never be sent twice as two jobs of one kind.
      .addUniqueConstraint('job_kind_key', ['kind', 'idempotency_key'])
      .execute();
    await db.schema.createIndex('job_due').on('job').columns(['status', 'next_run_at']).execute();
    await db.schema.createIndex('job_subject').on('job').column('subject').execute();

    await db.schema
      .createTable('paynova_order')
      .addColumn('order_number', 'text', (c) => c.primaryKey())
      .addColumn('clinic_id', 'text', (c) => c.notNull())
      .addColumn('order_id', 'text', (c) => c.notNull())
      .addColumn('transaction_id', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('provider_status', 'text')
      .addColumn('last_checked_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    // Delivery state per SMS, fed by status callbacks (via sync) and polling; only ever moves forward.
    await db.schema
      .createTable('sms_message')
      .addColumn('sid', 'text', (c) => c.primaryKey())
      .addColumn('job_id', 'text', (c) => c.notNull())
      .addColumn('clinic_id', 'text', (c) => c.notNull())
      .addColumn('subject', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('error_code', 'integer')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sms_message_job').on('sms_message').column('job_id').execute();
    await db.schema.createIndex('paynova_order_state').on('paynova_order').columns(['state', 'last_checked_at']).execute();
  },
};
