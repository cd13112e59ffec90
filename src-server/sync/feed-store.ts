import type Database from 'better-sqlite3';
import { sql } from 'kysely';
import type { ServerDb } from '../db/connect';
import { prepared } from '../db/prepared';
import type { ChangesTable, DevicesTable, PushReceiptsTable, UniqueKeysTable, UsersTable } from '../db/schema';
import { CreateConflict, type Doc, type Executor } from './clinic-writer';
import { PairMap } from './pair-map';

/**
 * What the push path reads and writes, many rows per request: the hot path of the sync server.
 * Going through Kysely's builder cost more CPU than the database work itself (a 500-row VALUES
 * list is compiled, its 5,500 parameters parsed, and on SQLite the statement re-prepared, on every
 * call), so these skip it:
 *  - SQLite: cached prepared statements (IN-lists travel as one JSON array through json_each, so
 *    one statement serves any length), run on the connection that holds the transaction;
 *  - PostgreSQL: prepared statements whose rows travel as one text per column (see postgresStore),
 *    so the SQL text never changes with the row count; a push's writes are one statement.
 * Writes must run inside the caller's transaction (`trx`). The SQLite write-behind pipeline
 * (write-behind.ts) has a third implementation that stages the writes for its writer thread.
 */
export interface FeedStore {
  /**
   * Whether an insert of a new entity or unique key that exists already fails with CreateConflict,
   * so a writer may take declared creates and claims as absent without reading them (ClinicWriter.prefetch).
   */
  readonly verifiesCreates: boolean;
  /**
   * What a push must know before it applies anything, in one read: the device's state (undefined
   * for an unknown device) and those of `actorIds` that are users (the push's actors).
   */
  pushContext(trx: Executor, deviceId: string, actorIds: readonly string[]): Promise<PushContext>;
  /** The receipts of a device that cover any seq from `from` to `to` (receipts.ts). */
  receipts(trx: Executor, deviceId: string, from: number, to: number): Promise<PushReceiptsTable[]>;
  /** The current documents of a clinic's entities of one kind; absent ids are not in the map. */
  docs(trx: Executor, clinicId: string, entity: string, ids: readonly string[]): Promise<Map<string, Doc>>;
  /** The owners of a clinic's unique keys of one kind; free keys are not in the map. */
  owners(trx: Executor, clinicId: string, kind: string, keys: readonly string[]): Promise<Map<string, string>>;

  /**
   * Records a push (invariant 2): its receipt, and the device's last applied seq moved from
   * `fromSeq` to the receipt's last. Throws when the device is no longer at `fromSeq`.
   */
  recordPush(trx: Executor, receipt: PushReceiptsTable, fromSeq: number): Promise<void>;
  /**
   * Writes what a writer staged for one clinic (one statement on PostgreSQL): inserts the unique
   * keys, takes a cursor for each change from the clinic's counter (its row is locked), appends
   * the changes in order, and makes each entity's row point at its newest change with a document
   * (a new entity gets version 1, an existing one version + 1). Returns the last cursor taken, or
   * null when there are no changes.
   */
  writeFeed(trx: Executor, feed: FeedWrite): Promise<number | null>;
}

export interface FeedWrite {
  readonly clinicId: string;
  /** Every change's created_at. */
  readonly createdAt: string;
  readonly uniques: readonly Omit<UniqueKeysTable, 'clinic_id'>[];
  readonly changes: readonly NewChange[];
}

/**
 * A change as a writer hands it over: the document itself, serialized by the store in the form
 * it sends, and whether its entity had no row when the transaction read it (`created`; the
 * transaction holds the clinic's lock, so none can appear meanwhile). Every change of one entity
 * says the same.
 */
export type NewChange = Pick<ChangesTable, 'entity' | 'entity_id' | 'op' | 'mutation_id'> & { doc: Doc | null; created: boolean };

export type DeviceState = Pick<DevicesTable, 'last_seq' | 'revoked_at' | 'clinic_id'>;
export type ActorRow = Pick<UsersTable, 'id' | 'role' | 'clinic_id' | 'active'>;
export interface PushContext {
  device: DeviceState | undefined;
  actors: ActorRow[];
}

/** A change with its place in the feed. */
export type ChangeRow = NewChange & Pick<ChangesTable, 'clinic_id' | 'cursor' | 'created_at'>;

/** The feed's changes numbered from the cursor after `before`. */
export function numbered(feed: FeedWrite, before: number): ChangeRow[] {
  return feed.changes.map((c, i) => ({ ...c, clinic_id: feed.clinicId, cursor: before + 1 + i, created_at: feed.createdAt }));
}

const stores = new WeakMap<ServerDb, FeedStore>();

/** The store that runs its statements directly in the caller's transaction. */
export function feedStore(sdb: ServerDb): FeedStore {
  let w = stores.get(sdb);
  if (!w) stores.set(sdb, (w = sdb.sqlite ? sqliteStore(sdb.sqlite) : postgresStore()));
  return w;
}

/** Statements shared with the write-behind thread, which runs them with the same parameters. */
export const FEED_SQL = {
  receipt: `insert into push_receipts (device_id, first_seq, last_seq, clinic_id, outcomes, received_at) values (?, ?, ?, ?, ?, ?)`,
  unique: `insert into unique_keys (clinic_id, kind, key, owner_id) values (?, ?, ?, ?)`,
  change: `insert into changes (clinic_id, cursor, entity, entity_id, op, data, mutation_id, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)`,
  entity: `insert into entities (clinic_id, entity, id, version, cursor) values (?, ?, ?, 1, ?) on conflict (clinic_id, entity, id) do update set cursor = excluded.cursor, version = entities.version + 1`,
  /** Guarded: no row changes when the seq moved under the writer (the thread then fails the group). */
  lastSeq: `update devices set last_seq = ? where id = ? and last_seq = ?`,
  changeSeq: `update clinics set change_seq = ? where id = ? and change_seq = ?`,
} as const;

export const receiptParams = (r: PushReceiptsTable) => [r.device_id, r.first_seq, r.last_seq, r.clinic_id, r.outcomes, r.received_at];

/**
 * Receipts of one device never overlap and each covers at least one seq, so the ones that cover
 * any of `from`..`to` are among the newest `to - from + 1` that start at or before `to`: a
 * backward walk of the primary key that stops there, however long the device's history.
 */
const RECEIPTS_SQL = `select * from push_receipts where device_id = ? and first_seq <= ? order by first_seq desc limit ?`;
const covering = (rows: PushReceiptsTable[], from: number) => rows.filter((r) => Number(r.last_seq) >= from);
export const uniqueParams = (r: UniqueKeysTable) => [r.clinic_id, r.kind, r.key, r.owner_id];

/**
 * Each entity's newest change (its index in `changes`) that has a document: the change its row
 * points at, on every store. Entities in order of their first change.
 */
export function newestWithDoc(changes: readonly NewChange[]): PairMap<number> {
  const newest = new PairMap<number>();
  for (const [i, c] of changes.entries()) if (c.doc !== null) newest.set(c.entity, c.entity_id, i);
  return newest;
}

/**
 * Serializes each document for its change, and points each entity's row at its newest change in
 * `rows` that has one. Returns the parameter lists of FEED_SQL.change and FEED_SQL.entity.
 */
export function changeParams(rows: readonly ChangeRow[]): { changes: unknown[][]; entities: unknown[][] } {
  const changes = rows.map((r) => [r.clinic_id, r.cursor, r.entity, r.entity_id, r.op, r.doc === null ? null : JSON.stringify(r.doc), r.mutation_id, r.created_at]);
  const entities = [...newestWithDoc(rows).entries()].map(([entity, id, i]) => [rows[i]!.clinic_id, entity, id, rows[i]!.cursor]);
  return { changes, entities };
}

function sqliteStore(db: Database.Database): FeedStore {
  // Prepared lazily: the tables exist only once the migrations ran.
  let s: ReturnType<typeof prepare> | null = null;
  const prepare = () => ({
    device: db.prepare(`select last_seq, revoked_at, clinic_id from devices where id = ?`),
    actors: db.prepare(`select id, role, clinic_id, active from users where id in (select value from json_each(?))`),
    receipts: db.prepare(RECEIPTS_SQL),
    docs: db.prepare(`select id, data from entity_docs where clinic_id = ? and entity = ? and id in (select value from json_each(?))`),
    owners: db.prepare(`select key, owner_id from unique_keys where clinic_id = ? and kind = ? and key in (select value from json_each(?))`),
    bump: db.prepare(`update clinics set change_seq = change_seq + ? where id = ? returning change_seq`).pluck(),
    receipt: db.prepare(FEED_SQL.receipt),
    unique: db.prepare(FEED_SQL.unique),
    change: db.prepare(FEED_SQL.change),
    entity: db.prepare(FEED_SQL.entity),
    lastSeq: db.prepare(FEED_SQL.lastSeq),
  });
  const st = () => (s ??= prepare());
  const inTransaction = () => {
    if (!db.inTransaction) throw new Error('feed writes must run inside the caller transaction');
  };
  return {
    // Entity rows are upserted (FEED_SQL.entity), and reads here are cheap: in-process, no round trip.
    verifiesCreates: false,
    async pushContext(_trx, deviceId, actorIds) {
      return { device: st().device.get(deviceId) as DeviceState | undefined, actors: st().actors.all(JSON.stringify(actorIds)) as ActorRow[] };
    },
    async receipts(_trx, deviceId, from, to) {
      return covering(st().receipts.all(deviceId, to, to - from + 1) as PushReceiptsTable[], from);
    },
    async docs(_trx, clinicId, entity, ids) {
      const rows = st().docs.all(clinicId, entity, JSON.stringify(ids)) as { id: string; data: string }[];
      return new Map(rows.map((r) => [r.id, JSON.parse(r.data) as Doc]));
    },
    async owners(_trx, clinicId, kind, keys) {
      const rows = st().owners.all(clinicId, kind, JSON.stringify(keys)) as { key: string; owner_id: string }[];
      return new Map(rows.map((r) => [r.key, r.owner_id]));
    },
    async recordPush(_trx, receipt, fromSeq) {
      inTransaction();
      st().receipt.run(receiptParams(receipt));
      if (st().lastSeq.run(receipt.last_seq, receipt.device_id, fromSeq).changes !== 1) throw new Error(`device ${receipt.device_id} is no longer at seq ${fromSeq}`);
    },
    async writeFeed(_trx, feed) {
      inTransaction();
      const { unique, bump, change, entity } = st();
      for (const u of feed.uniques) unique.run(feed.clinicId, u.kind, u.key, u.owner_id);
      const n = feed.changes.length;
      if (n === 0) return null;
      const last = bump.get(n, feed.clinicId) as number | undefined;
      if (last === undefined) throw new Error(`Unknown clinic ${feed.clinicId}`);
      const p = changeParams(numbered(feed, Number(last) - n));
      for (const c of p.changes) change.run(c);
      for (const e of p.entities) entity.run(e);
      return Number(last);
    },
  };
}

/**
 * The push path's batch reads on PostgreSQL: one probe of the primary key per id, whatever the
 * planner knows of the table. `id = any($3)` was planned from the statistics, and a table nobody
 * had analyzed yet (a new server, a fast-growing clinic) got a scan of the clinic's whole
 * (clinic, entity) prefix, filtered by the array: each read cost more the bigger the clinic grew.
 * A lateral subquery behind `offset 0` is not flattened into a join, so each id is looked up on
 * its own by the full key. (tests/integration/server/pg-read-plans.test.ts)
 */
export const postgresReads = {
  docs: (clinicId: string, entity: string, ids: readonly string[]) =>
    prepared(sql<{ id: string; data: string }>`select k.id, d.data from unnest(${ids}::text[]) as k(id)
      cross join lateral (select data from entity_docs where clinic_id = ${clinicId} and entity = ${entity} and id = k.id offset 0) d`),
  owners: (clinicId: string, kind: string, keys: readonly string[]) =>
    prepared(sql<{ key: string; owner_id: string }>`select k.key, u.owner_id from unnest(${keys}::text[]) as k(key)
      cross join lateral (select owner_id from unique_keys where clinic_id = ${clinicId} and kind = ${kind} and key = k.key offset 0) u`),
};

/**
 * PostgreSQL: a statement's rows travel column by column, each column as ONE text of its values
 * joined by U+0001 and split by string_to_array on the database's core (see writeFeed), so
 * the SQL text never changes with the row count and nothing is escaped in JavaScript: as a text[]
 * node-postgres escapes every element, and as json PostgreSQL lexes every character. (The reads'
 * id lists are text[]: uuids and keys without quotes or backslashes, cheap to escape.)
 */
function postgresStore(): FeedStore {
  return {
    // The unique keys and new entities (NewChange.created) are plain inserts: the primary keys check them.
    verifiesCreates: true,
    async pushContext(trx, deviceId, actorIds) {
      const { rows } = await prepared(sql<DeviceState & { actors: string }>`select d.last_seq, d.revoked_at, d.clinic_id,
          (select coalesce(json_agg(json_build_array(u.id, u.role, u.clinic_id, u.active)), '[]')::text from users u where u.id = any(${actorIds}::text[])) as actors
        from devices d where d.id = ${deviceId}`).execute(trx);
      const r = rows[0];
      if (!r) return { device: undefined, actors: [] };
      const actors = (JSON.parse(r.actors) as [string, string, string | null, number][]).map(([id, role, clinic_id, active]) => ({ id, role, clinic_id, active }));
      return { device: { last_seq: r.last_seq, revoked_at: r.revoked_at, clinic_id: r.clinic_id }, actors };
    },
    async receipts(trx, deviceId, from, to) {
      const { rows } = await prepared(sql<PushReceiptsTable>`select device_id, first_seq, last_seq, clinic_id, outcomes, received_at from push_receipts
        where device_id = ${deviceId} and first_seq <= ${to} order by first_seq desc limit ${to - from + 1}`).execute(trx);
      return covering(rows, from);
    },
    async docs(trx, clinicId, entity, ids) {
      const { rows } = await postgresReads.docs(clinicId, entity, ids).execute(trx);
      return new Map(rows.map((r) => [r.id, JSON.parse(r.data) as Doc]));
    },
    async owners(trx, clinicId, kind, keys) {
      const { rows } = await postgresReads.owners(clinicId, kind, keys).execute(trx);
      return new Map(rows.map((r) => [r.key, r.owner_id]));
    },
    async recordPush(trx, receipt, fromSeq) {
      const [deviceId, firstSeq, lastSeq, clinicId, outcomes, receivedAt] = receiptParams(receipt);
      const r = await prepared(sql`with receipt as (
          insert into push_receipts (device_id, first_seq, last_seq, clinic_id, outcomes, received_at)
          values (${deviceId}, ${firstSeq}, ${lastSeq}, ${clinicId}, ${outcomes}, ${receivedAt})
        )
        update devices set last_seq = ${lastSeq} where id = ${deviceId} and last_seq = ${fromSeq}`).execute(trx);
      if (Number(r.numAffectedRows) !== 1) throw new Error(`device ${deviceId} is no longer at seq ${fromSeq}`);
    },
    async writeFeed(trx, feed) {
      const { clinicId, createdAt, uniques, changes } = feed;
      const keys = sql`insert into unique_keys (clinic_id, kind, key, owner_id)
        select ${clinicId}::text, kind, key, owner_id from rows from (
          unnest(string_to_array(${joined(uniques.map((u) => u.kind))}::text, chr(1))),
          unnest(string_to_array(${joined(uniques.map((u) => u.key))}::text, chr(1))),
          unnest(string_to_array(${joined(uniques.map((u) => u.owner_id))}::text, chr(1)))
        ) as k(kind, key, owner_id)`;
      const n = changes.length;
      if (n === 0) {
        if (uniques.length > 0) await prepared(keys).execute(trx).catch(createConflict);
        return null;
      }
      // Each column travels as ONE text, its values joined by U+0001 (split by string_to_array,
      // zipped row by row by ROWS FROM), the clinic and the time as scalars, and each cursor is
      // the counter's old value plus the row's ordinality: PostgreSQL copies the values out
      // without lexing them. As one json parameter (first the whole row, later all but the
      // documents) the backends spent a quarter, then a tenth, of their time in its lexer and
      // json_to_recordset. Each document is V8's text exactly (what SQLite stores); '' stands for
      // null (a change without a document, a change of no mutation): neither a JSON text nor an
      // id is ever empty. Each entity row then points at its newest change here that has a
      // document, picked here rather than by a DISTINCT ON sort in the statement (~3 % of the
      // backends' time): a plain insert for an entity the push created ('c'), an upsert
      // otherwise ('u'; ON CONFLICT probes the key before it inserts, ~8 % of the backends' time
      // when every entity took that path); 'n' for none. Keys, counter, changes and entity rows
      // are one statement: one round trip on the clinic's critical path instead of three.
      const entities: string[] = [];
      const ids: string[] = [];
      const ops: string[] = [];
      const mutations: (string | null)[] = [];
      const entityWrites: string[] = [];
      const docs: string[] = [];
      const newest = newestWithDoc(changes);
      for (const [i, c] of changes.entries()) {
        entities.push(c.entity);
        ids.push(c.entity_id);
        ops.push(c.op);
        mutations.push(c.mutation_id);
        entityWrites.push(newest.get(c.entity, c.entity_id) !== i ? 'n' : c.created ? 'c' : 'u');
        docs.push(c.doc === null ? '' : JSON.stringify(c.doc));
      }
      const { rows } = await prepared(sql<{ last: string }>`with keys as (${keys}
        ), bump as (
          update clinics set change_seq = change_seq + ${n}::bigint where id = ${clinicId} returning change_seq - ${n}::bigint as base
        ), t as (
          select t.*, b.base + t.n as cursor from rows from (
            unnest(string_to_array(${joined(entities)}::text, chr(1))),
            unnest(string_to_array(${joined(ids)}::text, chr(1))),
            unnest(string_to_array(${joined(ops)}::text, chr(1))),
            unnest(string_to_array(${joined(mutations)}::text, chr(1), '')),
            unnest(string_to_array(${entityWrites.join('')}::text, null)),
            unnest(string_to_array(${docs.join('\u0001')}::text, chr(1), ''))
          ) with ordinality as t(entity, entity_id, op, mutation_id, entity_write, doc, n) cross join bump b
        ), c as (
          insert into changes (clinic_id, cursor, entity, entity_id, op, data, mutation_id, created_at)
          select ${clinicId}::text, cursor, entity, entity_id, op, doc, mutation_id, ${createdAt}::text from t
        ), inserted as (
          insert into entities (clinic_id, entity, id, version, cursor) select ${clinicId}::text, entity, entity_id, 1, cursor from t where entity_write = 'c'
        ), upserted as (
          insert into entities (clinic_id, entity, id, version, cursor) select ${clinicId}::text, entity, entity_id, 1, cursor from t where entity_write = 'u'
          on conflict (clinic_id, entity, id) do update set cursor = excluded.cursor, version = entities.version + 1
        )
        select base + ${n}::bigint as last from bump`).execute(trx).catch(createConflict);
      if (!rows[0]) throw new Error(`Unknown clinic ${clinicId}`);
      return Number(rows[0].last);
    },
  };
}

/**
 * Joins values for string_to_array(…, chr(1)). JSON.stringify never writes U+0001 raw (it escapes
 * every control character), so documents join without a check; ids, keys, names and ops are
 * checked. An empty value would need care (string_to_array('', …) is no element at all): ids and
 * keys are never empty.
 */
function joined(values: readonly (string | null)[]): string {
  for (const v of values) if (v === '' || v?.includes('\u0001')) throw new Error('feed store: an id, key or name is empty or holds U+0001');
  // join() writes null as '': split with '' as the null string, it comes back as NULL.
  return values.join('\u0001');
}

/** A unique violation (SQLSTATE 23505) of a plain insert: a new id or key that was not new. */
function createConflict(e: unknown): never {
  if ((e as { code?: unknown }).code === '23505') throw new CreateConflict(`${(e as { constraint?: string }).constraint ?? 'a unique key'}: ${(e as Error).message}`);
  throw e;
}
