import type Database from 'better-sqlite3';
import type { ServerDb } from '../db/connect';
import type { PushReceiptsTable, UniqueKeysTable } from '../db/schema';
import { WriteBatchFailed, type WriteStep, type WriterThread } from '../db/writer-thread';
import { ClinicWriter, type Doc, type Executor } from './clinic-writer';
import { changeParams, FEED_SQL, feedStore, numbered, receiptParams, uniqueParams, type ChangeRow, type FeedStore, type FeedWrite, type PushContext } from './feed-store';
import { answerGroup, failGroup, makeJob, takeGroup, yieldToIo, type Committer, type Job, type JobOptions, type Outcome, type Work } from './group-commit';
import { PairMap } from './pair-map';
import { UnknownClinicError } from './transact';

/**
 * How many groups may be written (or waiting for the writer thread) while the event loop computes
 * the next one. Two keep both threads busy; more would only make answers wait longer.
 */
const MAX_IN_FLIGHT = 2;

/**
 * Group commit for a SQLite file, pipelined. better-sqlite3 runs every statement on the calling
 * thread, so when the event loop also wrote each group's rows and waited for its COMMIT (fsync),
 * it was busy with the database for about a third of every push. Here the event loop only
 * computes a group — reads, domain rules, the rows to write — and hands the rows to the writer
 * thread (db/writer-thread.ts), which commits them on its own connection while the event loop
 * computes the next group.
 *
 * The next group must see what the previous ones will write before they committed: that is the
 * overlay, every row a group staged, kept until its COMMIT and read before the database. Nothing
 * else writes these rows meanwhile: other writers of a clinic's feed run as `exclusive` work,
 * which waits until every group in flight has committed and holds the pipeline until it is done.
 *
 * The promises are those of group-commit.ts: no push is answered before the COMMIT that holds it
 * (and every group before it) returned; a push that fails leaves no trace (its rows never reach
 * the overlay); and if a COMMIT fails, that group and every group computed on top of it fail, the
 * overlay is dropped, and the desks resend (invariant 2 makes that safe).
 */
export class WriteBehindCommitter implements Committer {
  private readonly queue: (Job | Exclusive)[] = [];
  private running = false;
  private readonly inFlight: Promise<void>[] = [];
  private readonly overlay = new Overlay();
  /** Bumped when a COMMIT fails: groups of an older epoch were built on rows that never landed. */
  private epoch = 0;
  private tags = 0;
  private readonly base: FeedStore;
  private readonly clinicExists: Database.Statement;
  private readonly changeSeq: Database.Statement;
  readonly stats = { groups: 0, jobs: 0, largestGroup: 0, rerun: 0 };

  constructor(
    private readonly sdb: ServerDb,
    sqlite: Database.Database,
    private readonly thread: WriterThread,
  ) {
    this.base = feedStore(sdb);
    this.clinicExists = sqlite.prepare(`select 1 from clinics where id = ?`).pluck();
    this.changeSeq = sqlite.prepare(`select change_seq from clinics where id = ?`).pluck();
  }

  run<T>(clinicId: string, work: Work<T>, options: JobOptions = {}): Promise<{ value: T; lastCursor: number | null }> {
    return new Promise((resolve, reject) => {
      this.queue.push(makeJob(clinicId, work, options, resolve, reject));
      this.kick();
    });
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ exclusive: fn as () => Promise<unknown>, resolve: resolve as (v: unknown) => void, reject });
      this.kick();
    });
  }

  get queued(): number {
    return this.queue.filter((j) => !('exclusive' in j)).length;
  }

  private kick(): void {
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        // Let the pushes that arrived meanwhile be read (and queued) before the group is formed.
        await yieldToIo();
        const head = this.queue[0]!;
        if ('exclusive' in head) {
          this.queue.shift();
          await Promise.allSettled(this.inFlight);
          await head.exclusive().then(head.resolve, head.reject);
          continue;
        }
        while (this.inFlight.length >= MAX_IN_FLIGHT) await this.inFlight[0];
        await this.computeGroup();
      }
    } finally {
      this.running = false;
    }
  }

  private async computeGroup(): Promise<void> {
    const group = takeGroup(this.queue, this.stats);
    const epoch = this.epoch;
    const tag = ++this.tags;
    const now = new Date().toISOString();
    const steps = new Steps();
    const outcomes: Outcome[] = [];
    for (const [i, job] of group.entries()) {
      // Read the next pushes' bodies while this group works.
      if (i > 0) await yieldToIo();
      const stage = new StagedStore(this.base, this.overlay, this.changeSeq);
      try {
        if (!this.clinicExists.get(job.clinicId)) throw new UnknownClinicError(`Unknown clinic ${job.clinicId}`);
        const writer = new ClinicWriter(this.sdb.db, job.clinicId, stage);
        const value = await job.work(writer, this.sdb.db, now);
        const lastCursor = await writer.flush(now);
        if (job.beforeCommit) await job.beforeCommit();
        if (this.epoch !== epoch) throw new WriteBatchFailed('not written: an earlier group it builds on failed to commit');
        stage.publish(this.overlay, tag, steps);
        outcomes.push({ ok: true, value, lastCursor });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    // Sent even when empty: the writer thread answers in order, so a group of duplicates is not
    // answered before the group whose rows it saw committed.
    const written = this.thread.write(epoch, steps.list()).then(
      () => answerGroup(this.sdb, group, outcomes),
      (error: unknown) => {
        if (this.epoch === epoch) {
          this.epoch += 1;
          this.overlay.clear();
        }
        failGroup(group, outcomes, error);
      },
    );
    const done = written.finally(() => {
      this.overlay.release(tag);
      this.inFlight.splice(this.inFlight.indexOf(done), 1);
    });
    this.inFlight.push(done);
  }
}

interface Exclusive {
  readonly exclusive: () => Promise<unknown>;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
}

/** The statements of one group, in the order the writer thread runs them. */
class Steps {
  readonly receipts: unknown[][] = [];
  readonly lastSeqs: unknown[][] = [];
  readonly uniques: unknown[][] = [];
  readonly changes: unknown[][] = [];
  readonly entities: unknown[][] = [];
  readonly changeSeqs: unknown[][] = [];

  list(): WriteStep[] {
    const all: WriteStep[] = [
      { statement: FEED_SQL.receipt, rows: this.receipts },
      { statement: FEED_SQL.lastSeq, rows: this.lastSeqs, exactlyOne: true },
      { statement: FEED_SQL.unique, rows: this.uniques },
      { statement: FEED_SQL.change, rows: this.changes },
      { statement: FEED_SQL.entity, rows: this.entities },
      { statement: FEED_SQL.changeSeq, rows: this.changeSeqs, exactlyOne: true },
    ];
    return all.filter((s) => s.rows.length > 0);
  }
}

/** What one group staged, by key (the same keys the database has). */
class Staged {
  /** By clinic, then entity and id. */
  readonly docs = new Map<string, PairMap<Doc>>();
  /** By clinic, then kind and key. */
  readonly owners = new Map<string, PairMap<string>>();
  readonly changeSeqs = new Map<string, number>();
  readonly lastSeqs = new Map<string, number>();
  /** By device: its receipts staged by this group (a device's pushes can share a group). */
  readonly receipts = new Map<string, PushReceiptsTable[]>();
  constructor(readonly tag: number) {}
}

type StagedMap = 'changeSeqs' | 'lastSeqs';
type ValueOf<K extends StagedMap> = Staged[K] extends Map<string, infer V> ? V : never;

/**
 * Rows staged by groups that have not committed yet: one layer per group, oldest first (at most
 * the groups in flight and the one being computed). A read takes the newest layer that has the
 * key; a group's layer is dropped after its COMMIT, when the database itself holds its values
 * (or a newer layer overrides them). Dropping a layer is O(1), and no entry carries its group.
 */
class Overlay {
  private readonly layers: Staged[] = [];

  /** The layer of group `tag`, the newest (groups are computed in tag order). */
  layer(tag: number): Staged {
    const last = this.layers[this.layers.length - 1];
    if (last?.tag === tag) return last;
    const l = new Staged(tag);
    this.layers.push(l);
    return l;
  }

  get<K extends StagedMap>(kind: K, key: string): ValueOf<K> | undefined {
    return this.newest((l) => (l[kind] as Map<string, ValueOf<K>>).get(key));
  }

  /** The newest staged document of a clinic's entity. */
  doc(clinicId: string, entity: string, id: string): Doc | undefined {
    return this.newest((l) => l.docs.get(clinicId)?.get(entity, id));
  }

  /** The newest staged owner of a clinic's unique key. */
  owner(clinicId: string, kind: string, key: string): string | undefined {
    return this.newest((l) => l.owners.get(clinicId)?.get(kind, key));
  }

  /** What the newest layer that has it staged. */
  private newest<V>(lookup: (layer: Staged) => V | undefined): V | undefined {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const v = lookup(this.layers[i]!);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** Every receipt of `deviceId` still staged, oldest group first. */
  receipts(deviceId: string): PushReceiptsTable[] {
    return this.layers.flatMap((l) => l.receipts.get(deviceId) ?? []);
  }

  release(tag: number): void {
    const i = this.layers.findIndex((l) => l.tag === tag);
    if (i >= 0) this.layers.splice(i, 1);
  }

  clear(): void {
    this.layers.length = 0;
  }
}

/** Each key from the overlay where a group staged it, the rest from the database in one read. */
async function readThrough<K, V>(keys: readonly K[], staged: (key: K) => V | undefined, base: (rest: K[]) => Promise<Iterable<readonly [K, V]>>): Promise<Map<K, V>> {
  const out = new Map<K, V>();
  const rest: K[] = [];
  for (const key of keys) {
    const v = staged(key);
    if (v !== undefined) out.set(key, v);
    else rest.push(key);
  }
  if (rest.length > 0) for (const [key, v] of await base(rest)) out.set(key, v);
  return out;
}

function ofClinic<V>(byClinic: Map<string, PairMap<V>>, clinicId: string): PairMap<V> {
  let m = byClinic.get(clinicId);
  if (!m) byClinic.set(clinicId, (m = new PairMap()));
  return m;
}

/**
 * One job's view and writes: reads see the overlay over the committed database; writes are kept
 * here until the job succeeded, then published to the overlay and the group's statements at once
 * (a job that fails publishes nothing).
 */
class StagedStore implements FeedStore {
  /** Like the SQLite store it stages for: entity rows are upserted. */
  readonly verifiesCreates = false;
  private readonly receiptRows: PushReceiptsTable[] = [];
  private readonly lastSeqs: [deviceId: string, from: number, to: number][] = [];
  private readonly uniques: UniqueKeysTable[] = [];
  private readonly cursors = new Map<string, { from: number; to: number }>();
  private readonly changes: ChangeRow[] = [];

  constructor(
    private readonly base: FeedStore,
    private readonly overlay: Overlay,
    private readonly changeSeq: Database.Statement,
  ) {}

  async pushContext(trx: Executor, deviceId: string, actorIds: readonly string[]): Promise<PushContext> {
    const { device, actors } = await this.base.pushContext(trx, deviceId, actorIds);
    const staged = this.overlay.get('lastSeqs', deviceId);
    return { device: device && staged !== undefined ? { ...device, last_seq: staged } : device, actors };
  }

  /**
   * Staged receipts and committed ones, each once: a receipt stays staged until its group's layer
   * is dropped, which may be after its COMMIT.
   */
  async receipts(trx: Executor, deviceId: string, from: number, to: number): Promise<PushReceiptsTable[]> {
    const staged = this.overlay.receipts(deviceId).filter((r) => r.first_seq <= to && r.last_seq >= from);
    const committed = (await this.base.receipts(trx, deviceId, from, to)).filter((r) => !staged.some((s) => s.first_seq === Number(r.first_seq)));
    return [...committed, ...staged];
  }

  docs(trx: Executor, clinicId: string, entity: string, ids: readonly string[]): Promise<Map<string, Doc>> {
    return readThrough(ids, (id) => this.overlay.doc(clinicId, entity, id), (rest) => this.base.docs(trx, clinicId, entity, rest));
  }

  owners(trx: Executor, clinicId: string, kind: string, keys: readonly string[]): Promise<Map<string, string>> {
    return readThrough(keys, (key) => this.overlay.owner(clinicId, kind, key), (rest) => this.base.owners(trx, clinicId, kind, rest));
  }

  async recordPush(_trx: Executor, receipt: PushReceiptsTable, fromSeq: number): Promise<void> {
    this.receiptRows.push(receipt);
    this.lastSeqs.push([receipt.device_id, fromSeq, receipt.last_seq]);
  }

  async writeFeed(_trx: Executor, feed: FeedWrite): Promise<number | null> {
    const { clinicId } = feed;
    for (const u of feed.uniques) this.uniques.push({ clinic_id: clinicId, ...u });
    const n = feed.changes.length;
    if (n === 0) return null;
    const mine = this.cursors.get(clinicId);
    const from = mine?.to ?? this.overlay.get('changeSeqs', clinicId) ?? (this.changeSeq.get(clinicId) as number | undefined);
    if (from === undefined) throw new UnknownClinicError(`Unknown clinic ${clinicId}`);
    this.cursors.set(clinicId, { from: mine?.from ?? Number(from), to: Number(from) + n });
    this.changes.push(...numbered(feed, Number(from)));
    return Number(from) + n;
  }

  /** The job succeeded: its rows become visible to the next jobs and join the group's statements. */
  publish(overlay: Overlay, tag: number, steps: Steps): void {
    const staged = overlay.layer(tag);
    for (const r of this.receiptRows) {
      const mine = staged.receipts.get(r.device_id);
      if (mine) mine.push(r);
      else staged.receipts.set(r.device_id, [r]);
      steps.receipts.push(receiptParams(r));
    }
    for (const [deviceId, from, to] of this.lastSeqs) {
      staged.lastSeqs.set(deviceId, to);
      steps.lastSeqs.push([to, deviceId, from]);
    }
    for (const u of this.uniques) {
      ofClinic(staged.owners, u.clinic_id).set(u.kind, u.key, u.owner_id);
      steps.uniques.push(uniqueParams(u));
    }
    // A change without a document leaves the entity row as it was (feed-store.ts), so here too.
    for (const c of this.changes) if (c.doc !== null) ofClinic(staged.docs, c.clinic_id).set(c.entity, c.entity_id, c.doc);
    const p = changeParams(this.changes);
    steps.changes.push(...p.changes);
    steps.entities.push(...p.entities);
    for (const [clinicId, { from, to }] of this.cursors) {
      staged.changeSeqs.set(clinicId, to);
      steps.changeSeqs.push([to, clinicId, from]);
    }
  }
}
