import { type Kysely, type Migration } from 'kysely';

/**
 * Removing a user keeps the row (orders, sessions and activity records name it) but marks it
 * removed: hidden from account lists, unable to log in, its username and personnummer released.
 */
export const m003_accounts_removed: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('users').addColumn('removed_at', 'text').execute();
  },
};
