import { sql, type Kysely, type Migration } from 'kysely';

/**
 * An entity row stops carrying its document: it points at the change that holds it (its cursor),
 * and the view `entity_docs` joins the two. Every document used to be stored twice, in the feed
 * and in the entity row, so every push wrote it twice (and SQLite checkpointed it twice); the feed
 * must keep each change's document anyway, since a desk pulls them.
 *
 * Both rows were always written from the same serialization, and an entity row is only written by
 * a change that has a document, so the join gives back exactly what the column held. The
 * migration checks that before it drops the column, and stops (changing nothing) if any entity
 * row would lose its document.
 */
export const m006_entity_docs: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    const { rows } = await sql<{ n: number | string }>`
      select count(*) as n from entities e
      left join changes c on c.clinic_id = e.clinic_id and c.cursor = e.cursor
      where c.data is null or c.data <> e.data`.execute(db);
    const lost = Number(rows[0]?.n ?? 0);
    if (lost > 0) {
      throw new Error(`migration 006_entity_docs: ${lost} entity rows do not match the change their cursor points at; nothing was changed`);
    }
    await db.schema.alterTable('entities').dropColumn('data').execute();
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
