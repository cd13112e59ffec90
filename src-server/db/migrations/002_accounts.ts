import { type Kysely, type Migration } from 'kysely';

/**
 * Accounts, console and activity records (issue 6), the same on SQLite and PostgreSQL. Lockout
 * counters live on the user row (password and PIN separately); the activity table holds the
 * server's own chain and every desk's uploaded chain, with a head row per chain.
 */
export const m002_accounts: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    const addUserColumn = (name: string, type: 'text' | 'integer', notNullDefault?: number) =>
      db.schema
        .alterTable('users')
        .addColumn(name, type, (c) => (notNullDefault === undefined ? c : c.notNull().defaultTo(notNullDefault)))
        .execute();
    await addUserColumn('must_change', 'integer', 0);
    await addUserColumn('password_failures', 'integer', 0);
    await addUserColumn('password_locked_until', 'text');
    await addUserColumn('pin_failures', 'integer', 0);
    await addUserColumn('pin_locked_until', 'text');
    await addUserColumn('last_login_at', 'text');
    await addUserColumn('last_login_country', 'text');
    await addUserColumn('last_online_login_at', 'text');
    await db.schema.createIndex('users_personnummer').on('users').column('personnummer').execute();

    await db.schema
      .createTable('service_settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .execute();

    await db.schema
      .createTable('activity')
      .addColumn('chain_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('clinic_id', 'text', (c) => c.notNull())
      .addColumn('actor_user_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('subject', 'text')
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('country', 'text')
      .addColumn('ip', 'text')
      .addColumn('details', 'text', (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('activity_pk', ['chain_id', 'seq'])
      .execute();
    await db.schema.createIndex('activity_at').on('activity').columns(['at']).execute();
    await db.schema.createIndex('activity_clinic_at').on('activity').columns(['clinic_id', 'at']).execute();

    await db.schema
      .createTable('activity_heads')
      .addColumn('chain_id', 'text', (c) => c.primaryKey())
      .addColumn('last_seq', 'bigint', (c) => c.notNull())
      .addColumn('last_hash', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('console_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('ip', 'text')
      .addColumn('country', 'text')
      .execute();

    await db.schema
      .createTable('bankid_orders')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('order_ref', 'text', (c) => c.notNull().unique())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('qr_start_token', 'text')
      .addColumn('qr_start_secret', 'text')
      .addColumn('consumed_at', 'text')
      .execute();

    await db.schema
      .createTable('device_sync')
      .addColumn('device_id', 'text', (c) => c.primaryKey())
      .addColumn('last_sync_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('clinic_state')
      .addColumn('clinic_id', 'text', (c) => c.primaryKey())
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};
