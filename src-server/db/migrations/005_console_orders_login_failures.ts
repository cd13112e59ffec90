import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';
import { rebuildConsoleProjection } from '../../console/order-projection';

/**
 * Two things the console and the login policy need in SQL rather than in memory (issue 6):
 *
 * - `console_orders` / `console_patients`: the columns the console's order search filters, sorts
 *   and searches on, one narrow row per order and per patient, kept from each clinic's change feed
 *   by src-server/console/projector.ts, off the push path (the JSON documents in `entities` stay
 *   the source of truth). Search
 *   columns hold words already lower-cased and NFC-normalised in JS, because SQLite's lower() does
 *   not fold å/ä/ö. Rows that existed before this migration are projected here.
 * - `login_failures`: failed logins per client address per minute, shared by every server
 *   instance on the database and surviving restarts.
 *
 * On PostgreSQL the text columns the console sorts on are COLLATE "C" (byte order, like SQLite's
 * BINARY): the Swedish sort keys put å/ä/ö after z as '{', '|', '}', which a linguistic collation
 * would ignore as punctuation, and keyset pages need the same order on both databases.
 */
export const m005_console_orders_login_failures: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    const pg = db.getExecutor().adapter instanceof PostgresAdapter;
    const sortText = pg ? sql`text collate "C"` : sql`text`;

    await db.schema
      .createTable('console_orders')
      .addColumn('clinic_id', sortText, (c) => c.notNull())
      .addColumn('id', sortText, (c) => c.notNull())
      .addColumn('order_number', sortText, (c) => c.notNull())
      .addColumn('patient_id', 'text', (c) => c.notNull())
      .addColumn('created_by_user_id', 'text', (c) => c.notNull())
      .addColumn('clinician', 'text')
      .addColumn('status', sortText, (c) => c.notNull())
      .addColumn('payment_kind', 'text')
      .addColumn('total', 'bigint', (c) => c.notNull())
      .addColumn('paid_total', 'bigint', (c) => c.notNull())
      .addColumn('credited_total', 'bigint', (c) => c.notNull())
      .addColumn('created_at', sortText, (c) => c.notNull())
      .addColumn('paid_date', sortText)
      .addColumn('invoice_number', 'text')
      .addColumn('issue_date', 'text')
      .addColumn('due_date', sortText)
      .addColumn('search', 'text', (c) => c.notNull())
      .addColumn('invoice_search', 'text', (c) => c.notNull().defaultTo(''))
      .addPrimaryKeyConstraint('console_orders_pk', ['clinic_id', 'id'])
      .execute();
    // Every index here is paid for by the projector on each order change, so only what the
    // console screen uses: the default sort (newest first, across clinics, in keyset
    // order), the status filter with it, and due dates (overdue, due-date sort). The rest filter
    // while walking one of these.
    await db.schema.createIndex('console_orders_created').on('console_orders').columns(['created_at', 'clinic_id', 'id']).execute();
    await db.schema.createIndex('console_orders_status_created').on('console_orders').columns(['status', 'created_at']).execute();
    await db.schema.createIndex('console_orders_due').on('console_orders').columns(['due_date']).execute();

    await db.schema
      .createTable('console_patients')
      .addColumn('clinic_id', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('sort_name', sortText, (c) => c.notNull())
      .addColumn('search', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('console_patients_pk', ['clinic_id', 'id'])
      .execute();

    await db.schema
      .createTable('login_failures')
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('minute', 'bigint', (c) => c.notNull())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('login_failures_pk', ['address', 'minute'])
      .execute();
    await db.schema.createIndex('login_failures_minute').on('login_failures').column('minute').execute();

    // How far each clinic's feed is projected (src-server/console/projector.ts). What exists now
    // is projected from the documents right here, so each clinic starts at its current head.
    await db.schema
      .createTable('console_projection')
      .addColumn('clinic_id', 'text', (c) => c.primaryKey())
      .addColumn('cursor', 'bigint', (c) => c.notNull())
      .execute();
    await rebuildConsoleProjection(db, 'entities');
    await sql`insert into console_projection (clinic_id, cursor) select id, change_seq from clinics`.execute(db);
  },
};
