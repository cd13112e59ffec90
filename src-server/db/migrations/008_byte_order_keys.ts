import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * PostgreSQL: the key columns of the push path's tables compare as bytes (COLLATE "C"), as SQLite
 * compares every text already (BINARY).
 *
 * They hold uuids, entity names, order and invoice numbers: nothing anyone reads in collation
 * order, and equality is the same under every deterministic collation. But every B-tree step of
 * every insert and probe compared them under the database's collation, which for any locale but
 * C or POSIX (C.UTF-8 included, before PostgreSQL 17) means copying both values and calling
 * strcoll: an interleaved A/B of the push path measured the backends at ~12 % less CPU per
 * mutation with byte order.
 *
 * The column type does not change, so no table is rewritten; the indexes on these columns are
 * rebuilt in the new order. The view over two of the tables is dropped and made again as
 * migration 006 made it.
 */
export const m008_byte_order_keys: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
    const c = sql.raw('type text collate "C"');
    await sql`drop view entity_docs`.execute(db);
    await sql`alter table changes alter column clinic_id ${c}, alter column entity ${c}, alter column entity_id ${c}`.execute(db);
    await sql`alter table entities alter column clinic_id ${c}, alter column entity ${c}, alter column id ${c}`.execute(db);
    await sql`alter table unique_keys alter column clinic_id ${c}, alter column kind ${c}, alter column key ${c}`.execute(db);
    await sql`alter table push_receipts alter column device_id ${c}`.execute(db);
    await db.schema
      .createView('entity_docs')
      .as(
        db
          .selectFrom('entities as e')
          .innerJoin('changes as c', (j) => j.onRef('c.clinic_id', '=', 'e.clinic_id').onRef('c.cursor', '=', 'e.cursor'))
          .select(['e.clinic_id', 'e.entity', 'e.id', 'c.data', 'e.version', 'e.cursor']),
      )
      .execute();
  },
};
