import type { Kysely, Transaction } from 'kysely';
import type { ChangeEntity } from '../../src-shared/sync/protocol';
import type { DatabaseKind } from '../db/connect';
import type { ServerDatabase } from '../db/schema';
import type { FeedStore } from './feed-store';
import { PairMap } from './pair-map';

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
  /** By entity, then id. */
  docs: PairMap<Doc>;
  /** Owners by kind, then key. */
  uniques: PairMap<string>;
  changes: StagedChange[];
}

const emptyLayer = (): Layer => ({ docs: new PairMap(), uniques: new PairMap(), changes: [] });

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
  private readonly loadedDocs = new PairMap<Doc | null>();
  private readonly loadedUniques = new PairMap<string | null>();

  constructor(
    private readonly trx: Executor,
    readonly clinicId: string,
    /** Where reads and writes go: the database directly, or the write-behind pipeline's stage. */
    readonly store: FeedStore,
  ) {}

  begin(): void {
    this.layer = emptyLayer();
  }

  commitLayer(): void {
    const l = this.layer;
    if (!l) return;
    this.batch.docs.assign(l.docs);
    this.batch.uniques.assign(l.uniques);
    for (const c of l.changes) this.batch.changes.push(c);
    this.layer = null;
  }

  discardLayer(): void {
    this.layer = null;
  }

  private get top(): Layer {
    return this.layer ?? this.batch;
  }

  /**
   * Reads the listed entities and unique keys in one query per kind, so a batch of hundreds of
   * mutations does not pay a round trip per lookup. Anything not prefetched is still read on demand.
   */
  async prefetch(entities: readonly (readonly [ChangeEntity, string])[], uniques: readonly (readonly [string, string])[]): Promise<void> {
    // Grouped by entity / kind so every query walks the primary key (clinic, entity|kind, id|key).
    const docsByEntity = new Map<string, Set<string>>();
    for (const [e, id] of entities) if (!this.loadedDocs.has(e, id)) (docsByEntity.get(e) ?? docsByEntity.set(e, new Set()).get(e)!).add(id);
    for (const [entity, idSet] of docsByEntity) {
      const ids = [...idSet];
      const found = await this.store.docs(this.trx, this.clinicId, entity, ids);
      for (const id of ids) this.loadedDocs.set(entity, id, found.get(id) ?? null);
    }
    const keysByKind = new Map<string, Set<string>>();
    for (const [kind, key] of uniques) if (!this.loadedUniques.has(kind, key)) (keysByKind.get(kind) ?? keysByKind.set(kind, new Set()).get(kind)!).add(key);
    for (const [kind, keySet] of keysByKind) {
      const keys = [...keySet];
      const found = await this.store.owners(this.trx, this.clinicId, kind, keys);
      for (const key of keys) this.loadedUniques.set(kind, key, found.get(key) ?? null);
    }
  }

  /** What this transaction knows of an entity: staged, read ahead (null: absent), or undefined. */
  private known(entity: ChangeEntity, id: string): Doc | null | undefined {
    return this.layer?.docs.get(entity, id) ?? this.batch.docs.get(entity, id) ?? this.loadedDocs.get(entity, id);
  }

  async get(entity: ChangeEntity, id: string): Promise<Doc | null> {
    // Known to be absent (null) is an answer too: only what this transaction never saw is read.
    const known = this.known(entity, id);
    const d = known !== undefined ? known : ((await this.store.docs(this.trx, this.clinicId, entity, [id])).get(id) ?? null);
    // Copied: the store may hand out documents it keeps (the write-behind stage does).
    return d && structuredClone(d);
  }

  /** Whether the entity exists, without copying it (handlers that only check for it). */
  async exists(entity: ChangeEntity, id: string): Promise<boolean> {
    const d = this.known(entity, id);
    return d === undefined ? (await this.get(entity, id)) !== null : d !== null;
  }

  /** Stages the new full state of an entity and the change-feed entry that carries it. */
  put(entity: ChangeEntity, id: string, data: Doc, mutationId: string | null): void {
    // Handlers build a fresh object per put and never touch it again; get() hands out copies.
    this.top.docs.set(entity, id, data);
    this.top.changes.push({ entity, entityId: id, op: 'upsert', data, mutationId });
  }

  /**
   * Claims a clinic-wide unique key (an order number, an invoice number, a series) for `owner`.
   * True when the key is free or already owned by the same owner.
   */
  async claimUnique(kind: string, key: string, owner: string): Promise<boolean> {
    const staged = this.layer?.uniques.get(kind, key) ?? this.batch.uniques.get(kind, key);
    if (staged !== undefined) return staged === owner;
    const loaded = this.loadedUniques.get(kind, key);
    const found = loaded !== undefined ? loaded : ((await this.store.owners(this.trx, this.clinicId, kind, [key])).get(key) ?? null);
    if (found !== null) return found === owner;
    this.top.uniques.set(kind, key, owner);
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
    const { changes, uniques } = this.batch;
    if (uniques.size > 0) {
      const rows = [...uniques.entries()].map(([kind, key, owner]) => ({ clinic_id: this.clinicId, kind, key, owner_id: owner }));
      await this.store.insertUniqueKeys(this.trx, rows);
    }
    if (changes.length === 0) return null;
    const last = await this.store.allocateCursors(this.trx, this.clinicId, changes.length);
    const first = last - changes.length + 1;
    const rows = changes.map((c, i) => ({
      clinic_id: this.clinicId,
      cursor: first + i,
      entity: c.entity,
      entity_id: c.entityId,
      op: c.op,
      doc: c.data,
      mutation_id: c.mutationId,
      created_at: now,
      created: this.loadedDocs.get(c.entity, c.entityId) === null,
    }));
    await this.store.appendChanges(this.trx, rows);
    return last;
  }
}
