import { sql } from 'kysely';
import type { ServerDb } from '../db/connect';
import { feedStore } from './feed-store';
import { ClinicWriter, CreateConflict, lockClinic, type Executor } from './clinic-writer';
import { UnknownClinicError } from './transact';
import { WriteBehindCommitter } from './write-behind';

/** A job's work. It may run twice in one transaction (after a CreateConflict), so it touches nothing outside it. */
export type Work<T> = (writer: ClinicWriter, trx: Executor, now: string) => Promise<T>;

export interface Job {
  readonly clinicId: string;
  readonly work: Work<unknown>;
  readonly beforeCommit: (() => Promise<void>) | undefined;
  readonly weight: number;
  readonly resolve: (out: { value: unknown; lastCursor: number | null }) => void;
  readonly reject: (e: unknown) => void;
}

export interface JobOptions {
  beforeCommit?: (() => Promise<void>) | undefined;
  weight?: number;
}

export function makeJob<T>(clinicId: string, work: Work<T>, options: JobOptions, resolve: (out: { value: T; lastCursor: number | null }) => void, reject: (e: unknown) => void): Job {
  return { clinicId, work: work as Work<unknown>, beforeCommit: options.beforeCommit, weight: Math.max(1, options.weight ?? 1), resolve: resolve as Job['resolve'], reject };
}

/**
 * Takes the next group off the front of `queue`: as many jobs as fit under MAX_GROUP_WEIGHT, at
 * least one, stopping at the first entry that is not a job (the write-behind's exclusive work).
 */
export function takeGroup(queue: (Job | object)[], stats: Committer['stats']): Job[] {
  let weight = 0;
  let n = 0;
  while (n < queue.length) {
    const j = queue[n]!;
    if (!('work' in j) || (n > 0 && weight + j.weight > MAX_GROUP_WEIGHT)) break;
    weight += j.weight;
    n += 1;
  }
  const group = queue.splice(0, n) as Job[];
  stats.groups += 1;
  stats.jobs += group.length;
  stats.largestGroup = Math.max(stats.largestGroup, group.length);
  return group;
}

/** Nothing of the group committed: every job fails (with its own error if it had one). */
export function failGroup(group: readonly Job[], outcomes: readonly Outcome[], error: unknown): void {
  group.forEach((job, i) => {
    const o = outcomes[i];
    job.reject(o && !o.ok ? o.error : error);
  });
}

/**
 * The group committed: answers each job, then (where the database does not announce inside the
 * transaction) announces each clinic's newest cursor.
 */
export async function answerGroup(sdb: ServerDb, group: readonly Job[], outcomes: readonly Outcome[]): Promise<void> {
  group.forEach((job, i) => {
    const o = outcomes[i]!;
    if (o.ok) job.resolve({ value: o.value, lastCursor: o.lastCursor });
    else job.reject(o.error);
  });
  if (sdb.notifiesInTransaction) return;
  // Committed and answered: a failing listener must not fail the pushes (or stop the queue).
  for (const [clinicId, cursor] of newestCursors(group, outcomes)) await sdb.notify(sdb.db, clinicId, cursor).catch(() => {});
}

/** Each clinic's newest cursor among the group's successful jobs: one announcement each covers them all. */
export function newestCursors(group: readonly Job[], outcomes: readonly Outcome[]): Map<string, number> {
  const newest = new Map<string, number>();
  group.forEach((job, i) => {
    const o = outcomes[i];
    if (o?.ok && o.lastCursor !== null) newest.set(job.clinicId, Math.max(o.lastCursor, newest.get(job.clinicId) ?? 0));
  });
  return newest;
}

export type Outcome = { ok: true; value: unknown; lastCursor: number | null } | { ok: false; error: unknown };

/**
 * A group stops taking jobs at this many mutations: one COMMIT (one fsync) is shared by more
 * requests the larger a group is, but every request in it waits for the whole group.
 */
export const MAX_GROUP_WEIGHT = 4000;

/**
 * Group commit for pushes. Concurrent requests that write the same database (SQLite: one file, one
 * writer) or the same clinic (PostgreSQL: the clinic row lock serializes them anyway) queue here,
 * and whatever queued while the previous group was running is applied in ONE transaction: one
 * COMMIT, so one fsync (SQLite, synchronous = FULL) or one WAL flush (PostgreSQL) for the group
 * instead of one per request. Durability is unchanged: no job is answered before the COMMIT that
 * holds it returned, and a crash before it loses every job of the group, none of which was
 * answered (the desks resend; invariant 2 makes that safe).
 *
 * Each job runs in its own SAVEPOINT with its own ClinicWriter, in arrival order: a job that
 * throws (a refused push, a database error) is rolled back to its savepoint — including the
 * cursors it took — and fails alone; the others still commit. Cursors stay contiguous and are
 * allocated in commit order because the group holds the clinic lock (taken before the first
 * savepoint on PostgreSQL, so rolling a savepoint back can never release it) until COMMIT
 * (invariant 4).
 */
/** What the push path and every other feed writer use to get their work committed. */
export interface Committer {
  run<T>(clinicId: string, work: Work<T>, options?: JobOptions): Promise<{ value: T; lastCursor: number | null }>;
  /** Runs `fn` (its own transaction) with no group in flight or being computed. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Jobs waiting for a group (not counting the ones in the group now running). */
  readonly queued: number;
  /** Committed (or failed) groups, the jobs they held, and the jobs run again after a CreateConflict; for tests and diagnostics. */
  readonly stats: { groups: number; jobs: number; largestGroup: number; rerun: number };
}

export class GroupCommitter implements Committer {
  private readonly queues = new Map<string, Job[]>();
  private readonly running = new Set<string>();
  readonly stats = { groups: 0, jobs: 0, largestGroup: 0, rerun: 0 };

  constructor(private readonly sdb: ServerDb) {}

  /** Transactions on this database already exclude each other (one SQLite connection; PostgreSQL's clinic lock). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  run<T>(clinicId: string, work: Work<T>, options: JobOptions = {}): Promise<{ value: T; lastCursor: number | null }> {
    // SQLite has one writer for all clinics: group across clinics to share the fsync.
    const key = this.sdb.kind === 'sqlite' ? '' : clinicId;
    return new Promise((resolve, reject) => {
      const job = makeJob(clinicId, work, options, resolve, reject);
      const q = this.queues.get(key);
      if (q) q.push(job);
      else this.queues.set(key, [job]);
      if (!this.running.has(key)) void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    this.running.add(key);
    try {
      while ((this.queues.get(key)?.length ?? 0) > 0) {
        // better-sqlite3 answers every query synchronously, so a whole group runs in microtasks
        // without the event loop ever polling sockets: let the pushes that arrived meanwhile be
        // read (and queued) before the group is formed, or every group would hold one push.
        await yieldToIo();
        await this.commitGroup(key);
      }
    } finally {
      this.running.delete(key);
    }
  }

  get queued(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  private take(key: string): Job[] {
    const q = this.queues.get(key) ?? [];
    const group = takeGroup(q, this.stats);
    if (q.length === 0) this.queues.delete(key);
    return group;
  }

  private async commitGroup(key: string): Promise<void> {
    const { sdb } = this;
    let now = new Date().toISOString();
    let group: Job[] = [];
    const outcomes: Outcome[] = [];
    try {
      await sdb.db.transaction().execute(async (trx) => {
        // On PostgreSQL a group is one clinic: take its lock, held until COMMIT, outside every
        // savepoint (so rolling one back can never release it).
        const locked = sdb.kind !== 'postgres' || (await lockClinic(trx, sdb.kind, key));
        // The group is formed only now that this transaction has the connection (and the lock):
        // every push that arrived while it waited for them joins it.
        group = this.take(key);
        now = new Date().toISOString();
        if (!locked) {
          for (const job of group) outcomes.push({ ok: false, error: new UnknownClinicError(`Unknown clinic ${job.clinicId}`) });
          return;
        }
        for (const [i, job] of group.entries()) {
          // Read the next pushes' bodies while this group works (see drain()).
          if (i > 0 && sdb.kind === 'sqlite') await yieldToIo();
          await sql`savepoint kassa_job`.execute(trx);
          try {
            if (sdb.kind !== 'postgres' && !(await lockClinic(trx, sdb.kind, job.clinicId))) throw new UnknownClinicError(`Unknown clinic ${job.clinicId}`);
            const { value, lastCursor } = await this.work(trx, job, now);
            if (job.beforeCommit) await job.beforeCommit();
            await sql`release savepoint kassa_job`.execute(trx);
            outcomes.push({ ok: true, value, lastCursor });
          } catch (error) {
            // If this throws too (the database gave up the whole transaction), the group fails.
            await sql`rollback to savepoint kassa_job`.execute(trx);
            await sql`release savepoint kassa_job`.execute(trx);
            outcomes.push({ ok: false, error });
          }
        }
        // Announced inside the transaction, so only if it commits: once per clinic, not per job.
        if (sdb.notifiesInTransaction) for (const [clinicId, cursor] of newestCursors(group, outcomes)) await sdb.notify(trx, clinicId, cursor);
      });
    } catch (error) {
      if (group.length === 0) group = this.take(key);
      failGroup(group, outcomes, error);
      return;
    }
    await answerGroup(sdb, group, outcomes);
  }

  private async work(trx: Executor, job: Job, now: string): Promise<{ value: unknown; lastCursor: number | null }> {
    const store = feedStore(this.sdb);
    try {
      const writer = new ClinicWriter(trx, job.clinicId, store);
      return { value: await job.work(writer, trx, now), lastCursor: await writer.flush(now) };
    } catch (e) {
      if (!(e instanceof CreateConflict)) throw e;
      // An id or key the writer took for new was not: everything again, this time read
      // (ROLLBACK TO keeps the savepoint). Costs double only for a push that reuses an id.
      await sql`rollback to savepoint kassa_job`.execute(trx);
      this.stats.rerun += 1;
      const writer = new ClinicWriter(trx, job.clinicId, store, { readAll: true });
      return { value: await job.work(writer, trx, now), lastCursor: await writer.flush(now) };
    }
  }
}

export const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

const committers = new WeakMap<ServerDb, Committer>();

/**
 * The group committer of a database (one per opened ServerDb, so per server process): pipelined
 * through the writer thread for a SQLite file (write-behind.ts), in the event loop otherwise.
 */
export function groupCommitter(sdb: ServerDb): Committer {
  let c = committers.get(sdb);
  if (!c) {
    const { sqlite, writerThread } = sdb;
    c = sqlite && writerThread ? new WriteBehindCommitter(sdb, sqlite, writerThread) : new GroupCommitter(sdb);
    committers.set(sdb, c);
  }
  return c;
}
