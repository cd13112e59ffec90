import type { Kysely, Transaction } from 'kysely';
import type { ChangeEntity } from '../../src-shared/sync/protocol';
import type { Reads } from '../commands/registry';
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
 * An id or unique key the writer took to be new (a declared create or claim, Reads) was not: its
 * insert hit the unique constraint, or it was read at flush and found. What was decided from its
 * absence may be wrong, so the work runs again with a writer that reads everything
 * (group-commit.ts); nothing of the first run is kept.
 */
export class CreateConflict extends Error {}

export interface WriterOptions {
  /** Read declared creates and claims instead of taking them as absent (the run after a CreateConflict). */
  readonly readAll?: boolean;
}

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
  /** Of the absent ones above, those taken as absent without a read (declared creates and claims). */
  private readonly assumedDocs = new PairMap<true>();
  private readonly assumedUniques = new PairMap<true>();

  constructor(
    private readonly trx: Executor,
    readonly clinicId: string,
    /** Where reads and writes go: the database directly, or the write-behind pipeline's stage. */
    readonly store: FeedStore,
    private readonly options: WriterOptions = {},
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
   * Reads what the batch's commands declared in one query per kind, so a batch of hundreds of
   * mutations does not pay a round trip per lookup. Anything not prefetched is still read on demand.
   *
   * Where the store checks new ids and keys with the insert itself (FeedStore.verifiesCreates),
   * declared creates and claims are not read: a front desk's batch is mostly new patients and
   * orders, and probing every new id only to find it free was a third of PostgreSQL's work per
   * mutation. They are taken as absent; the inserts at flush() prove it, and whatever was taken
   * as absent but is not inserted is read there (CreateConflict when the guess was wrong).
   */
  async prefetch(reads: readonly Reads[]): Promise<void> {
    const assume = this.store.verifiesCreates && !this.options.readAll;
    const entities: [ChangeEntity, string][] = [];
    const uniques: [string, string][] = [];
    for (const r of reads) {
      if (r.entities) entities.push(...r.entities);
      if (r.uniques) uniques.push(...r.uniques);
      if (assume) {
        for (const [e, id] of r.creates ?? []) assumeAbsent(this.loadedDocs, this.assumedDocs, e, id);
        for (const [kind, key] of r.claims ?? []) assumeAbsent(this.loadedUniques, this.assumedUniques, kind, key);
      } else {
        if (r.creates) entities.push(...r.creates);
        if (r.claims) uniques.push(...r.claims);
      }
    }
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
   * Writes everything staged (FeedStore.writeFeed): the claimed unique keys, and the changes under
   * a contiguous cursor range from the clinic's counter (the clinic row is already locked) with
   * the entities' final states. Returns the last cursor, or null when nothing changed.
   */
  async flush(now: string): Promise<number | null> {
    if (this.layer) throw new Error('ClinicWriter.flush with an open mutation layer');
    await this.checkUnwrittenAssumptions();
    const { changes, uniques } = this.batch;
    if (changes.length === 0 && uniques.size === 0) return null;
    return this.store.writeFeed(this.trx, {
      clinicId: this.clinicId,
      createdAt: now,
      uniques: [...uniques.entries()].map(([kind, key, owner]) => ({ kind, key, owner_id: owner })),
      changes: changes.map((c) => ({
        entity: c.entity,
        entity_id: c.entityId,
        op: c.op,
        doc: c.data,
        mutation_id: c.mutationId,
        created: this.loadedDocs.get(c.entity, c.entityId) === null,
      })),
    });
  }

  /**
   * Reads what was taken as absent but will not be inserted (its command was rejected, or did not
   * create it after all): a decision may have rested on its absence, and no constraint checks it.
   */
  private async checkUnwrittenAssumptions(): Promise<void> {
    const docs = unwritten(this.assumedDocs, this.batch.docs);
    for (const [entity, ids] of docs) {
      const found = await this.store.docs(this.trx, this.clinicId, entity, ids);
      if (found.size > 0) throw new CreateConflict(`${entity} ${[...found.keys()][0]} exists though it was taken as new`);
    }
    const keys = unwritten(this.assumedUniques, this.batch.uniques);
    for (const [kind, list] of keys) {
      const found = await this.store.owners(this.trx, this.clinicId, kind, list);
      if (found.size > 0) throw new CreateConflict(`${kind} ${[...found.keys()][0]} is taken though it was taken as free`);
    }
  }
}

function assumeAbsent<V>(loaded: PairMap<V | null>, assumed: PairMap<true>, a: string, b: string): void {
  if (loaded.has(a, b)) return;
  loaded.set(a, b, null);
  assumed.set(a, b, true);
}

/** The assumed pairs that `written` does not hold, grouped by their first key. */
function unwritten(assumed: PairMap<true>, written: PairMap<unknown>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [a, b] of assumed.entries()) {
    if (written.has(a, b)) continue;
    const list = out.get(a);
    if (list) list.push(b);
    else out.set(a, [b]);
  }
  return out;
}
