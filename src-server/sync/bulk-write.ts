import type Database from 'better-sqlite3';
import { sql } from 'kysely';
import type { ServerDb } from '../db/connect';
import type { ChangesTable, MutationsTable, UniqueKeysTable } from '../db/schema';
import type { Doc, Executor } from './clinic-writer';

/**
 * The rows a push writes, many per request: the hot path of the sync server. Going through
 * Kysely's insert builder cost more CPU than the database work itself (a 500-row VALUES list is
 * compiled, its 5,500 parameters parsed, and on SQLite the statement re-prepared, on every call),
 * so these writes skip it:
 *  - SQLite: one cached prepared single-row statement per table, run on the connection that holds
 *    the transaction (better-sqlite3 is synchronous: nothing else can run on it meanwhile);
 *  - PostgreSQL: one statement per table per call, its rows sent as one json parameter (see
 *    postgresWriter), so the SQL text never changes with the row count.
 * Both must be called inside the caller's transaction (`trx`).
 */
export interface BulkWriter {
  insertMutations(trx: Executor, rows: readonly MutationsTable[]): Promise<void>;
  insertUniqueKeys(trx: Executor, rows: readonly UniqueKeysTable[]): Promise<void>;
  /**
   * Appends changes to the feed and makes each entity's row hold its newest change (data and
   * cursor; a new entity gets version 1, an existing one version + 1). `rows` are in cursor order.
   */
  appendChanges(trx: Executor, rows: readonly ChangeRow[]): Promise<void>;
}

/** A change as staged: the document itself, serialized by the writer in the form it sends. */
export type ChangeRow = Omit<ChangesTable, 'data'> & { doc: Doc | null };

const writers = new WeakMap<ServerDb, BulkWriter>();

export function bulkWriter(sdb: ServerDb): BulkWriter {
  let w = writers.get(sdb);
  if (!w) writers.set(sdb, (w = sdb.sqlite ? sqliteWriter(sdb.sqlite) : postgresWriter()));
  return w;
}

const ENTITY_UPSERT_TAIL = `on conflict (clinic_id, entity, id) do update set data = excluded.data, cursor = excluded.cursor, version = entities.version + 1`;

function sqliteWriter(db: Database.Database): BulkWriter {
  // Prepared lazily: the tables exist only once the migrations ran.
  let s: ReturnType<typeof prepare> | null = null;
  const prepare = () => ({
    mutation: db.prepare(
      `insert into mutations (device_id, seq, mutation_id, clinic_id, name, actor_user_id, status, code, reason, field, received_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    unique: db.prepare(`insert into unique_keys (clinic_id, kind, key, owner_id) values (?, ?, ?, ?)`),
    change: db.prepare(`insert into changes (clinic_id, cursor, entity, entity_id, op, data, mutation_id, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)`),
    entity: db.prepare(`insert into entities (clinic_id, entity, id, data, version, cursor) values (?, ?, ?, ?, 1, ?) ${ENTITY_UPSERT_TAIL}`),
  });
  const st = () => (s ??= prepare());
  const inTransaction = () => {
    if (!db.inTransaction) throw new Error('bulk writes must run inside the caller transaction');
  };
  return {
    async insertMutations(_trx, rows) {
      inTransaction();
      const { mutation } = st();
      for (const r of rows) mutation.run(r.device_id, r.seq, r.mutation_id, r.clinic_id, r.name, r.actor_user_id, r.status, r.code, r.reason, r.field, r.received_at);
    },
    async insertUniqueKeys(_trx, rows) {
      inTransaction();
      const { unique } = st();
      for (const r of rows) unique.run(r.clinic_id, r.kind, r.key, r.owner_id);
    },
    async appendChanges(_trx, rows) {
      inTransaction();
      const { change, entity } = st();
      // Each document is serialized once, for its change and, if it is the entity's newest, its row.
      const newest = new Map<string, { r: ChangeRow; json: string | null }>();
      for (const r of rows) {
        const json = r.doc === null ? null : JSON.stringify(r.doc);
        change.run(r.clinic_id, r.cursor, r.entity, r.entity_id, r.op, json, r.mutation_id, r.created_at);
        newest.set(`${r.entity}\u0000${r.entity_id}`, { r, json });
      }
      for (const { r, json } of newest.values()) if (json !== null) entity.run(r.clinic_id, r.entity, r.entity_id, json, r.cursor);
    },
  };
}

/**
 * PostgreSQL: all rows travel as ONE json parameter, serialized by V8's native JSON.stringify and
 * spread by json_to_recordset on the database's core. (Column arrays cost more: node-postgres
 * escapes every element of a text[] in JavaScript, and each JSON document twice over.)
 */
function postgresWriter(): BulkWriter {
  const json = (rows: readonly object[]) => JSON.stringify(rows);
  return {
    async insertMutations(trx, rows) {
      if (rows.length === 0) return;
      await sql`insert into mutations (device_id, seq, mutation_id, clinic_id, name, actor_user_id, status, code, reason, field, received_at)
        select * from json_to_recordset(${json(rows)}::json) as t(device_id text, seq bigint, mutation_id text, clinic_id text, name text,
          actor_user_id text, status text, code text, reason text, field text, received_at text)`.execute(trx);
    },
    async insertUniqueKeys(trx, rows) {
      if (rows.length === 0) return;
      await sql`insert into unique_keys (clinic_id, kind, key, owner_id)
        select * from json_to_recordset(${json(rows)}::json) as t(clinic_id text, kind text, key text, owner_id text)`.execute(trx);
    },
    async appendChanges(trx, rows) {
      if (rows.length === 0) return;
      // The documents travel once, nested (a `json` value keeps its text exactly as V8 wrote it,
      // so `doc::text` is the same serialization SQLite stores), and the entity rows are filled
      // from the changes just inserted.
      await sql`with c as (
          insert into changes (clinic_id, cursor, entity, entity_id, op, data, mutation_id, created_at)
          select clinic_id, cursor, entity, entity_id, op, doc::text, mutation_id, created_at
          from json_to_recordset(${json(rows)}::json) as t(clinic_id text, cursor bigint, entity text, entity_id text, op text, doc json, mutation_id text, created_at text)
          returning clinic_id, cursor, entity, entity_id, data
        ), newest as (
          select distinct on (entity, entity_id) clinic_id, entity, entity_id, data, cursor from c order by entity, entity_id, cursor desc
        )
        insert into entities (clinic_id, entity, id, data, version, cursor)
        select clinic_id, entity, entity_id, data, 1, cursor from newest where data is not null
        ${sql.raw(ENTITY_UPSERT_TAIL)}`.execute(trx);
    },
  };
}
