import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Desk-side sync state (owned by src-main/sync). The outbox and sync_state come from 001_core;
 * this adds what the push/pull loop needs on top:
 * - outbox.actor_user_id: the server re-checks WHO made each change. commitCommand writes the
 *   activity record (with the actor and the mutationId) in the same transaction as the outbox row,
 *   so a trigger copies the actor over; nothing else has to change for it.
 * - outbox.rejection_field / resolved_at / replaced_by: the server's field for a rejection, and how a
 *   person resolved it (discarded, or fixed by a new mutation), so nothing is dropped silently.
 * - sync_entities: the last server-confirmed state of every entity the feed carried (reference data
 *   such as users, clinic settings and notices live only here). A rejected optimistic change is
 *   rolled back to this copy.
 */
export const m003_sync: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`ALTER TABLE outbox ADD COLUMN actor_user_id TEXT`.execute(db);
    await sql`ALTER TABLE outbox ADD COLUMN rejection_field TEXT`.execute(db);
    await sql`ALTER TABLE outbox ADD COLUMN resolved_at TEXT`.execute(db);
    await sql`ALTER TABLE outbox ADD COLUMN replaced_by TEXT`.execute(db);
    await sql`CREATE TRIGGER outbox_actor_from_activity AFTER INSERT ON activity
      WHEN json_extract(new.details, '$.mutationId') IS NOT NULL BEGIN
        UPDATE outbox SET actor_user_id = new.actor_user_id
          WHERE mutation_id = json_extract(new.details, '$.mutationId') AND actor_user_id IS NULL;
      END`.execute(db);
    // A rowid table: documents are kilobytes, which WITHOUT ROWID b-trees store poorly.
    await sql`CREATE TABLE sync_entities (
      entity TEXT NOT NULL,
      id TEXT NOT NULL,
      data TEXT NOT NULL,
      cursor INTEGER NOT NULL,
      UNIQUE (entity, id)
    )`.execute(db);
  },
};
