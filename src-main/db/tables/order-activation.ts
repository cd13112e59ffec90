import type { ColumnType } from 'kysely';

/**
 * Migration 004_order_activation as Kysely sees it: one column added to core's orders table, so it
 * is declared by augmenting OrderTable (composed in database.ts by importing this file).
 */
declare module './core' {
  interface OrderTable {
    /** When the order first entered paid or installments (moveOrder), or null: never activated. */
    activated_at: ColumnType<string | null, string | null | undefined, string | null>;
  }
}
