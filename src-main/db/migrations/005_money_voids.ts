import { sql, type Kysely, type Migration } from 'kysely';

/**
 * money_event_voids (owned by src-main/sync and src-main/services): a local money event (a
 * cancellation or credit written optimistically) whose command the server REJECTED. money_events
 * stay append-only, so the event is not removed; a void row says it never happened on the server,
 * and reads leave it out. Only a desk event the server has never confirmed can be voided, and a
 * void is itself append-only. The rejected outbox row keeps the server's reason for a person to see
 * (invariant 3); the void repeats it next to the event.
 */
export const m005_money_voids: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`CREATE TABLE money_event_voids (
      event_id TEXT PRIMARY KEY REFERENCES money_events (id),
      mutation_id TEXT NOT NULL,
      code TEXT NOT NULL,
      reason TEXT NOT NULL,
      at TEXT NOT NULL
    )`.execute(db);
    await sql`CREATE TRIGGER money_event_voids_only_unconfirmed BEFORE INSERT ON money_event_voids
      WHEN (SELECT source FROM money_events WHERE id = new.event_id) IS NOT 'desk'
        OR EXISTS (SELECT 1 FROM sync_entities WHERE entity = 'money_event' AND id = new.event_id) BEGIN
        SELECT RAISE(ABORT, 'only a desk money event the server never confirmed can be voided');
      END`.execute(db);
    await sql`CREATE TRIGGER money_event_voids_no_delete BEFORE DELETE ON money_event_voids BEGIN SELECT RAISE(ABORT, 'money event voids are append-only'); END`.execute(db);
    await sql`CREATE TRIGGER money_event_voids_no_update BEFORE UPDATE ON money_event_voids BEGIN SELECT RAISE(ABORT, 'money event voids are append-only'); END`.execute(db);
  },
};
