import { sql, type Kysely, type Migration } from 'kysely';

/**
 * notice_handling (owned by src-main/core/handlers/notices): a person at this desk handled a
 * notice the central office sent (a cancellation request). The notice itself stays the server's
 * copy in sync_entities; this row says who dealt with it here and how, at once and offline, until
 * the server's copy (command notice.handle) says so for every desk. Append-only like the activity
 * record and the outbox mutation written next to it.
 */
export const m007_notice_handling: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`CREATE TABLE notice_handling (
      notice_id TEXT PRIMARY KEY,
      outcome TEXT NOT NULL CHECK (outcome IN ('cancelled', 'declined')),
      note TEXT NOT NULL,
      handled_by_user_id TEXT NOT NULL,
      handled_at TEXT NOT NULL
    )`.execute(db);
    await sql`CREATE TRIGGER notice_handling_no_update BEFORE UPDATE ON notice_handling BEGIN SELECT RAISE(ABORT, 'notice handling is append-only'); END`.execute(db);
    await sql`CREATE TRIGGER notice_handling_no_delete BEFORE DELETE ON notice_handling BEGIN SELECT RAISE(ABORT, 'notice handling is append-only'); END`.execute(db);
  },
};
