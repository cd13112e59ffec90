import { sql, type Kysely, type Migration } from 'kysely';

export const m000_activity: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('activity')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('chain_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('clinic_id', 'text', (c) => c.notNull())
      .addColumn('actor_user_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('subject', 'text')
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('country', 'text')
      .addColumn('ip', 'text')
      .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('synced', 'integer', (c) => c.notNull().defaultTo(0))
      .addUniqueConstraint('activity_chain_seq', ['chain_id', 'seq'])
      .execute();
    await db.schema.createIndex('activity_clinic_at').on('activity').columns(['clinic_id', 'at']).execute();
    await db.schema.createIndex('activity_unsynced').on('activity').column('synced').where(sql.ref('synced'), '=', 0).execute();
    // Append-only, enforced by the database itself: only the synced flag may change.
    await sql`CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity BEGIN SELECT RAISE(ABORT, 'activity records are append-only'); END`.execute(db);
    await sql`CREATE TRIGGER activity_no_update BEFORE UPDATE OF id, chain_id, seq, at, clinic_id, actor_user_id, action, subject, outcome, country, ip, details, prev_hash, hash ON activity BEGIN SELECT RAISE(ABORT, 'activity records are append-only'); END`.execute(db);
  },
};
