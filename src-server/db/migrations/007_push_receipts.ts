import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * (device, seq) is recorded once per push instead of once per mutation (sync/receipts.ts): a
 * `push_receipts` row covers the seqs of one push, its outcomes one JSON entry per seq. Each
 * mutation used to be a row of `mutations` with two index entries of its own, (device, seq) and
 * mutationId; at thousands of mutations a second they were two of every mutation's five.
 *
 * Every recorded mutation becomes a receipt of one seq, with the same id, command, actor and
 * rejection, so a desk that resends after the upgrade still gets `duplicate` with the original
 * outcome. (device, seq) was the primary key of `mutations` and is that of `push_receipts`, so
 * the copy holds every row. Kysely runs SQLite migrations outside a transaction: the steps are
 * safe to run again after a crash in the middle.
 */
export const m007_push_receipts: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('push_receipts')
      .ifNotExists()
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('first_seq', 'bigint', (c) => c.notNull())
      .addColumn('last_seq', 'bigint', (c) => c.notNull())
      .addColumn('clinic_id', 'text', (c) => c.notNull())
      .addColumn('outcomes', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('push_receipts_pk', ['device_id', 'first_seq'])
      .execute();

    const pg = db.getExecutor().adapter instanceof PostgresAdapter;
    // A push's outcomes are tens of KiB, so PostgreSQL compresses them out of line: with lz4
    // where the server has it, several times cheaper than its default pglz (which a profile of
    // the push benchmark showed at ~4 % of the backends' time).
    if (pg) {
      const { rows } = await sql<{ lz4: boolean }>`select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'`.execute(db);
      if (rows[0]?.lz4) await sql`alter table push_receipts alter column outcomes set compression lz4`.execute(db);
    }

    // Rejection fields only where the mutation was rejected, as the push path writes them.
    const entry = pg
      ? sql`json_build_array(json_strip_nulls(json_build_object('id', mutation_id, 'name', name, 'actor', actor_user_id, 'code', code, 'reason', reason, 'field', field)))::text`
      : sql`json_array(case when status = 'applied' then json_object('id', mutation_id, 'name', name, 'actor', actor_user_id)
          when field is null then json_object('id', mutation_id, 'name', name, 'actor', actor_user_id, 'code', code, 'reason', reason)
          else json_object('id', mutation_id, 'name', name, 'actor', actor_user_id, 'code', code, 'reason', reason, 'field', field) end)`;
    await sql`delete from push_receipts`.execute(db);
    await sql`insert into push_receipts (device_id, first_seq, last_seq, clinic_id, outcomes, received_at)
      select device_id, seq, seq, clinic_id, ${entry}, received_at from mutations`.execute(db);

    await db.schema.dropTable('mutations').execute();
  },
};
