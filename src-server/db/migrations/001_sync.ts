import { type Kysely, type Migration } from 'kysely';

/**
 * The sync server's first schema, the same on SQLite and PostgreSQL: only portable column types,
 * constraints the two agree on, and indexes for the hot paths (pull by cursor, push by seq).
 */
export const m001_sync: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('clinics')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('change_seq', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('clinic_id', 'text', (c) => c.references('clinics.id'))
      .addColumn('username', 'text', (c) => c.notNull().unique())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('personnummer', 'text')
      .addColumn('language', 'text', (c) => c.notNull().defaultTo('sv'))
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('pin_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('users_clinic').on('users').column('clinic_id').execute();

    await db.schema
      .createTable('devices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('credential_hash', 'text', (c) => c.notNull())
      .addColumn('last_seq', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('enrolled_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();

    await db.schema
      .createTable('enrolment_codes')
      .addColumn('code_hash', 'text', (c) => c.primaryKey())
      .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addColumn('device_id', 'text')
      .execute();

    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('clinic_id', 'text')
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('access_hash', 'text', (c) => c.notNull())
      .addColumn('access_expires_at', 'text', (c) => c.notNull())
      .addColumn('refresh_hash', 'text', (c) => c.notNull().unique())
      .addColumn('prev_refresh_hash', 'text')
      .addColumn('refresh_expires_at', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex('sessions_prev_refresh').on('sessions').column('prev_refresh_hash').execute();

    await db.schema
      .createTable('mutations')
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('mutation_id', 'text', (c) => c.notNull().unique())
      .addColumn('clinic_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('actor_user_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('code', 'text')
      .addColumn('reason', 'text')
      .addColumn('field', 'text')
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('mutations_pk', ['device_id', 'seq'])
      .execute();

    await db.schema
      .createTable('changes')
      .addColumn('clinic_id', 'text', (c) => c.notNull())
      .addColumn('cursor', 'bigint', (c) => c.notNull())
      .addColumn('entity', 'text', (c) => c.notNull())
      .addColumn('entity_id', 'text', (c) => c.notNull())
      .addColumn('op', 'text', (c) => c.notNull())
      .addColumn('data', 'text')
      .addColumn('mutation_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('changes_pk', ['clinic_id', 'cursor'])
      .execute();

    await db.schema
      .createTable('entities')
      .addColumn('clinic_id', 'text', (c) => c.notNull())
      .addColumn('entity', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('cursor', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('entities_pk', ['clinic_id', 'entity', 'id'])
      .execute();

    await db.schema
      .createTable('unique_keys')
      .addColumn('clinic_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('unique_keys_pk', ['clinic_id', 'kind', 'key'])
      .execute();
  },
};
