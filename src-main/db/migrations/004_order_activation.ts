import { sql, type Kysely, type Migration } from 'kysely';

/**
 * orders.activated_at (owned by src-main/services and src-main/sync): when money or credit was
 * first committed, i.e. the order entered paid or installments, as moveOrder in
 * src-shared/domain/order-state records it (the server keeps the same fact as `activatedAt` in
 * its order document, and the pull writes it here). A status alone cannot tell an overdue plan
 * from an overdue invoice that was never paid, and only the second may be annulled.
 */
export const m004_order_activation: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`ALTER TABLE orders ADD COLUMN activated_at TEXT`.execute(db);
  },
};
