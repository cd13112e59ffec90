import type { Kysely, Transaction } from 'kysely';
import type { ChangeEntity } from '../../src-shared/sync/protocol';
import type { DatabaseKind } from '../db/connect';
import type { ServerDatabase } from '../db/schema';
import { projectConsoleRows } from '../console/order-projection';

export type Executor = Kysely<ServerDatabase> | Transaction<ServerDatabase>;
export type Doc = Record<string, unknown>;

interface StagedChange {
  entity: ChangeEntity;
  entityId: string;
  op: 'upsert' | 'delete';
  data: Doc | null;
  mutationId: string | null;
}

interface Layer {
  docs: Map<string, Doc | null>;
  uniques: Map<string, string>;
  changes: StagedChange[];
}

const emptyLayer = (): Layer => ({ docs: new Map(), uniques: new Map(), changes: [] });
const docKey = (entity: string, id: string) => `${entity}\u0000${id}`;
const CHUNK = 500;

/**
 * Takes the clinic's row lock for the rest of the transaction. Every transaction that writes a
 * clinic's entities or change feed takes it first, which (a) serializes writers per clinic, so
 * domain checks never race (no lost update between two desks), and (b) makes cursor allocation
 * and commit happen in the same order: a reader can never see cursor n+1 committed while n is
 * still in flight (ARCHITECTURE.md invariant 4). SQLite transactions are serialized already.
 * Returns false when the clinic does not exist.
 */
export async function lockClinic(trx: Executor, kind: DatabaseKind, clinicId: string): Promise<boolean> {
  let q = trx.selectFrom('clinics').select('id').where('id', '=', clinicId);
  if (kind === 'postgres') q = q.forUpdate();
  return (await q.executeTakeFirst()) !== undefined;
}

/**
 * All writes of one transaction to one clinic's entities and change feed. Each mutation works in a
 * layer that is merged on success and dropped on rejection, so a rejected command leaves no trace
 * even when it had staged writes; nothing reaches the database until flush().
 */
export class ClinicWriter {
  private readonly batch: Layer = emptyLayer();
  private layer: Layer | null = null;
  /** Database state read ahead for a whole batch (null = known to be absent). */
  private readonly loadedDocs = new Map<string, Doc | null>();
  private readonly loadedUniques = new Map<string, string | null>();

  constructor(
    private readonly trx: Executor,
    readonly clinicId: string,
  ) {}

  begin(): void {
    this.layer = emptyLayer();
  }

  commitLayer(): void {
    const l = this.layer;
    if (!l) return;
    for (const [k, v] of l.docs) this.batch.docs.set(k, v);
    for (const [k, v] of l.uniques) this.batch.uniques.set(k, v);
    this.batch.changes.push(...l.changes);
    this.layer = null;
  }

  discardLayer(): void {
    this.layer = null;
  }

  private get top(): Layer {
    return this.layer ?? this.batch;
  }

  /**
   * Reads the listed entities and unique keys in two queries, so a batch of hundreds of mutations
   * does not pay a round trip per lookup. Anything not prefetched is still read on demand.
   */
  async prefetch(entities: readonly (readonly [ChangeEntity, string])[], uniques: readonly (readonly [string, string])[]): Promise<void> {
    // Grouped by entity / kind so every query walks the primary key (clinic, entity|kind, id|key).
    const docsByEntity = new Map<string, Set<string>>();
    for (const [e, id] of entities) if (!this.loadedDocs.has(docKey(e, id))) (docsByEntity.get(e) ?? docsByEntity.set(e, new Set()).get(e)!).add(id);
    for (const [entity, idSet] of docsByEntity) {
      const ids = [...idSet];
      for (let i = 0; i < ids.length; i += CHUNK) {
        const chunk = ids.slice(i, i + CHUNK);
        const rows = await this.trx.selectFrom('entities').select(['id', 'data']).where('clinic_id', '=', this.clinicId).where('entity', '=', entity).where('id', 'in', chunk).execute();
        for (const id of chunk) this.loadedDocs.set(docKey(entity, id), null);
        for (const r of rows) this.loadedDocs.set(docKey(entity, r.id), JSON.parse(r.data) as Doc);
      }
    }
    const keysByKind = new Map<string, Set<string>>();
    for (const [kind, key] of uniques) if (!this.loadedUniques.has(`${kind}\u0000${key}`)) (keysByKind.get(kind) ?? keysByKind.set(kind, new Set()).get(kind)!).add(key);
    for (const [kind, keySet] of keysByKind) {
      const keys = [...keySet];
      for (let i = 0; i < keys.length; i += CHUNK) {
        const chunk = keys.slice(i, i + CHUNK);
        const rows = await this.trx.selectFrom('unique_keys').select(['key', 'owner_id']).where('clinic_id', '=', this.clinicId).where('kind', '=', kind).where('key', 'in', chunk).execute();
        for (const key of chunk) this.loadedUniques.set(`${kind}\u0000${key}`, null);
        for (const r of rows) this.loadedUniques.set(`${kind}\u0000${r.key}`, r.owner_id);
      }
    }
  }

  async get(entity: ChangeEntity, id: string): Promise<Doc | null> {
    const k = docKey(entity, id);
    for (const l of [this.layer, this.batch]) {
      if (l?.docs.has(k)) {
        const d = l.docs.get(k) ?? null;
        return d && structuredClone(d);
      }
    }
    if (this.loadedDocs.has(k)) {
      const d = this.loadedDocs.get(k) ?? null;
      return d && structuredClone(d);
    }
    const row = await this.trx
      .selectFrom('entities')
      .select('data')
      .where('clinic_id', '=', this.clinicId)
      .where('entity', '=', entity)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? (JSON.parse(row.data) as Doc) : null;
  }

  /** Stages the new full state of an entity and the change-feed entry that carries it. */
  put(entity: ChangeEntity, id: string, data: Doc, mutationId: string | null): void {
    // Handlers build a fresh object per put and never touch it again; get() hands out copies.
    this.top.docs.set(docKey(entity, id), data);
    this.top.changes.push({ entity, entityId: id, op: 'upsert', data, mutationId });
  }

  /**
   * Claims a clinic-wide unique key (an order number, an invoice number, a series) for `owner`.
   * True when the key is free or already owned by the same owner.
   */
  async claimUnique(kind: string, key: string, owner: string): Promise<boolean> {
    const k = `${kind}\u0000${key}`;
    for (const l of [this.layer, this.batch]) {
      const o = l?.uniques.get(k);
      if (o !== undefined) return o === owner;
    }
    if (this.loadedUniques.has(k)) {
      const o = this.loadedUniques.get(k) ?? null;
      if (o !== null) return o === owner;
      this.top.uniques.set(k, owner);
      return true;
    }
    const row = await this.trx
      .selectFrom('unique_keys')
      .select('owner_id')
      .where('clinic_id', '=', this.clinicId)
      .where('kind', '=', kind)
      .where('key', '=', key)
      .executeTakeFirst();
    if (row) return row.owner_id === owner;
    this.top.uniques.set(k, owner);
    return true;
  }

  get pendingChanges(): number {
    return this.batch.changes.length;
  }

  /**
   * Writes everything staged: allocates a contiguous cursor range from the clinic's counter (the
   * clinic row is already locked), appends the changes and upserts final entity states.
   * Returns the last cursor, or null when nothing changed.
   */
  async flush(now: string): Promise<number | null> {
    if (this.layer) throw new Error('ClinicWriter.flush with an open mutation layer');
    const { changes, docs, uniques } = this.batch;
    if (uniques.size > 0) {
      const rows = [...uniques].map(([k, owner]) => {
        const [kind = '', key = ''] = k.split('\u0000');
        return { clinic_id: this.clinicId, kind, key, owner_id: owner };
      });
      for (let i = 0; i < rows.length; i += CHUNK) await this.trx.insertInto('unique_keys').values(rows.slice(i, i + CHUNK)).execute();
    }
    if (changes.length === 0) return null;
    const bumped = await this.trx
      .updateTable('clinics')
      .set((eb) => ({ change_seq: eb('change_seq', '+', changes.length) }))
      .where('id', '=', this.clinicId)
      .returning('change_seq')
      .executeTakeFirstOrThrow();
    const last = Number(bumped.change_seq);
    const first = last - changes.length + 1;
    const lastCursorOf = new Map<string, number>();
    const rows = changes.map((c, i) => {
      lastCursorOf.set(docKey(c.entity, c.entityId), first + i);
      return {
        clinic_id: this.clinicId,
        cursor: first + i,
        entity: c.entity,
        entity_id: c.entityId,
        op: c.op,
        data: c.data === null ? null : JSON.stringify(c.data),
        mutation_id: c.mutationId,
        created_at: now,
      };
    });
    for (let i = 0; i < rows.length; i += CHUNK) await this.trx.insertInto('changes').values(rows.slice(i, i + CHUNK)).execute();

    const upserts = [...docs].flatMap(([k, data]) => {
      if (data === null) return [];
      const [entity = '', id = ''] = k.split('\u0000');
      return [{ clinic_id: this.clinicId, entity, id, data: JSON.stringify(data), version: 1, cursor: lastCursorOf.get(k) ?? last }];
    });
    for (let i = 0; i < upserts.length; i += CHUNK) {
      await this.trx
        .insertInto('entities')
        .values(upserts.slice(i, i + CHUNK))
        .onConflict((oc) =>
          oc.columns(['clinic_id', 'entity', 'id']).doUpdateSet((eb) => ({
            data: eb.ref('excluded.data'),
            cursor: eb.ref('excluded.cursor'),
            version: eb('entities.version', '+', 1),
          })),
        )
        .execute();
    }
    // The console's order search columns, from the same documents: one row write each, no read.
    await projectConsoleRows(this.trx, this.clinicId, docs);
    return last;
  }
}
