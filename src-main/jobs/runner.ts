import type { Kysely, Transaction } from 'kysely';
import type { LocalDatabase } from '../db/database';
import type { JobTable } from '../db/tables/jobs';
import { fullJitterDelay, type BackoffPolicy } from './backoff';
import { JOB_PAYLOADS, JobKind, type JobPayload } from './kinds';
import { toJobView, type JobView } from './queue';

/** What a handler reports. Only the runner writes job state, so every path ends in one commit. */
export type JobOutcome =
  | { readonly type: 'succeeded'; readonly result: Record<string, unknown> }
  /** A definite business answer (credit refused, opted out, invalid number): retrying cannot help. */
  | { readonly type: 'failed'; readonly result: Record<string, unknown>; readonly error: string; readonly code: string }
  /** Worth another try later. `maybeDelivered`: the provider may have acted; the next run must check first. */
  | { readonly type: 'retry'; readonly error: string; readonly code: string; readonly maybeDelivered: boolean }
  /** A person must fix something (credentials, data): straight to the dead letter. */
  | { readonly type: 'dead'; readonly error: string; readonly code: string }
  /** Not ready yet (e.g. waiting for the order's create job): not counted as an attempt. */
  | { readonly type: 'defer'; readonly delayMs: number; readonly reason: string };

export interface JobContext<K extends JobKind = JobKind> {
  readonly job: JobView;
  readonly kind: K;
  readonly payload: JobPayload<K>;
  readonly clinicId: string;
  readonly idempotencyKey: string;
  /** 1 on the first run. */
  readonly attempt: number;
  /**
   * True when an earlier run may have reached the provider without us seeing the answer (a crash
   * while in_flight, a timeout, a reset). Non-idempotent calls must look before they send again.
   */
  readonly uncertain: boolean;
  /** When the job was first marked in_flight (the earliest moment its request can have been sent). */
  readonly firstSentAfter: Date;
  readonly progress: Readonly<Record<string, unknown>>;
  /** Commits a checkpoint at once, so a crash after step 1 resumes at step 2. */
  saveProgress(patch: Record<string, unknown>): Promise<void>;
  readonly db: Kysely<LocalDatabase>;
  now(): Date;
}

export type JobHandler<K extends JobKind = JobKind> = (ctx: JobContext<K>) => Promise<JobOutcome>;
export type JobHandlers = { readonly [K in JobKind]?: JobHandler<K> };

export interface JobRunnerHooks {
  /**
   * Called inside the transaction that settles a job (succeeded, failed or dead), so the caller's
   * consequence (order → rejected, patient → opted out) commits with the job's final state.
   */
  onSettled?(trx: Transaction<LocalDatabase>, job: JobView, outcome: JobOutcome): Promise<void>;
}

export interface JobRunnerOptions {
  readonly db: Kysely<LocalDatabase>;
  readonly handlers: JobHandlers;
  readonly hooks?: JobRunnerHooks;
  readonly backoff?: Partial<BackoffPolicy>;
  readonly pollMs?: number;
  /** Jobs per pass. */
  readonly batch?: number;
  readonly now?: () => Date;
  readonly random?: () => number;
  /** Last line of defence: strips any known secret value from an error text before it is stored. */
  readonly redact?: (text: string) => string;
}

const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2000, capMs: 15 * 60_000 };

/**
 * Runs due jobs one at a time. The in_flight mark commits BEFORE the request leaves, so a crash is
 * always visible afterwards: recover() turns such jobs into uncertain retries.
 */
export class JobRunner {
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly backoff: BackoffPolicy;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(private readonly options: JobRunnerOptions) {
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  }

  /** After a restart: every in_flight job was interrupted mid-request. Returns how many. */
  async recover(): Promise<number> {
    const at = this.now().toISOString();
    const r = await this.options.db
      .updateTable('job')
      .set({ status: 'pending', uncertain: 1, next_run_at: at, updated_at: at, last_error: 'Interrupted while sending; checking with the provider before retrying', last_error_code: 'job.interrupted' })
      .where('status', '=', 'in_flight')
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** One pass over due jobs; returns how many ran. */
  async runDue(): Promise<number> {
    const due = await this.options.db
      .selectFrom('job')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_run_at', '<=', this.now().toISOString())
      .orderBy('next_run_at')
      .orderBy('created_at')
      .limit(this.options.batch ?? 20)
      .execute();
    let ran = 0;
    for (const row of due) {
      if (await this.runJob(row)) ran += 1;
    }
    return ran;
  }

  /** Runs until nothing is due now (tests and "sync now"). Bounded so a bug cannot spin forever. */
  async runUntilIdle(maxPasses = 100): Promise<void> {
    for (let i = 0; i < maxPasses; i++) if ((await this.runDue()) === 0) return;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.runDue().then(
        () => undefined,
        () => undefined, // a database error here must not kill the loop; the next pass retries
      );
      await this.running;
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.options.pollMs ?? 2000);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private async runJob(row: JobTable): Promise<boolean> {
    const { db } = this.options;
    const kind = JobKind.parse(row.kind);
    const startedAt = this.now().toISOString();
    // Claim: committed before any request is sent. The status guard makes a double claim impossible.
    const claimed = await db
      .updateTable('job')
      .set({ status: 'in_flight', attempts: row.attempts + 1, in_flight_since: row.in_flight_since ?? startedAt, updated_at: startedAt })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return false;
    const attempt = row.attempts + 1;
    let progress: Record<string, unknown> = JSON.parse(row.progress || '{}');
    const handler = this.options.handlers[kind] as JobHandler | undefined;
    let outcome: JobOutcome;
    if (!handler) {
      outcome = { type: 'dead', error: `No handler for job kind ${kind} in this build`, code: 'job.no_handler' };
    } else {
      const parsed = JOB_PAYLOADS[kind].safeParse(JSON.parse(row.payload));
      if (!parsed.success) {
        outcome = { type: 'dead', error: `The job's stored payload is invalid: ${parsed.error.issues[0]?.message ?? ''}`, code: 'job.invalid_payload' };
      } else {
        const view = toJobView({ ...row, status: 'in_flight', attempts: attempt });
        const ctx: JobContext = {
          job: view,
          kind,
          payload: parsed.data as JobPayload<JobKind>,
          clinicId: row.clinic_id,
          idempotencyKey: row.idempotency_key,
          attempt,
          uncertain: row.uncertain === 1,
          firstSentAfter: new Date(row.in_flight_since ?? startedAt),
          get progress() {
            return progress;
          },
          saveProgress: async (patch) => {
            progress = { ...progress, ...patch };
            await db.updateTable('job').set({ progress: JSON.stringify(progress), updated_at: this.now().toISOString() }).where('id', '=', row.id).execute();
          },
          db,
          now: this.now,
        };
        try {
          outcome = await handler(ctx as never);
        } catch (error) {
          // A bug or an unexpected throw: retry (bounded by max attempts) and keep the message.
          const message = error instanceof Error ? error.message : String(error);
          outcome = { type: 'retry', error: `Unexpected error: ${message.slice(0, 300)}`, code: 'job.exception', maybeDelivered: true };
        }
      }
    }
    await this.settle(row, attempt, outcome);
    return true;
  }

  private async settle(row: JobTable, attempt: number, outcome: JobOutcome): Promise<void> {
    const at = this.now();
    const iso = at.toISOString();
    const redact = this.options.redact ?? ((s: string) => s);
    await this.options.db.transaction().execute(async (trx) => {
      let effective: JobOutcome = outcome;
      let set: Partial<JobTable>;
      switch (outcome.type) {
        case 'succeeded':
          set = { status: 'succeeded', result: JSON.stringify(outcome.result), last_error: null, last_error_code: null, uncertain: 0 };
          break;
        case 'failed':
          set = { status: 'failed', result: JSON.stringify(outcome.result), last_error: redact(outcome.error), last_error_code: outcome.code, uncertain: 0 };
          break;
        case 'dead':
          set = { status: 'dead', last_error: redact(outcome.error), last_error_code: outcome.code };
          break;
        case 'defer':
          set = { status: 'pending', attempts: attempt - 1, next_run_at: new Date(at.getTime() + outcome.delayMs).toISOString(), last_error: redact(outcome.reason), last_error_code: 'job.deferred' };
          break;
        case 'retry': {
          const uncertain = outcome.maybeDelivered || row.uncertain === 1 ? 1 : 0;
          if (attempt >= row.max_attempts) {
            effective = { type: 'dead', error: `${outcome.error} — gave up after ${attempt} attempts`, code: outcome.code };
            set = { status: 'dead', last_error: redact(effective.error), last_error_code: outcome.code, uncertain };
          } else {
            const delay = fullJitterDelay(attempt, this.backoff, this.random);
            set = { status: 'pending', next_run_at: new Date(at.getTime() + delay).toISOString(), last_error: redact(`${outcome.error} (attempt ${attempt} of ${row.max_attempts})`), last_error_code: outcome.code, uncertain };
          }
          break;
        }
      }
      await trx
        .updateTable('job')
        .set({ ...set, updated_at: iso })
        .where('id', '=', row.id)
        .execute();
      if (this.options.hooks?.onSettled && (effective.type === 'succeeded' || effective.type === 'failed' || effective.type === 'dead')) {
        const updated = await trx.selectFrom('job').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
        await this.options.hooks.onSettled(trx, toJobView(updated), effective);
      }
    });
  }
}
