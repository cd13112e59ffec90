import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { LocalDatabase } from '../db/database';
import type { JobTable } from '../db/tables/jobs';
import { DEFAULT_MAX_ATTEMPTS, JOB_PAYLOADS, JobKind, JobStatus, type JobPayloadInput } from './kinds';

type Db = Kysely<LocalDatabase> | Transaction<LocalDatabase>;

export interface NewJob<K extends JobKind = JobKind> {
  readonly kind: K;
  /** Paynova jobs: the order number (one create/finalize/annul per order). Refunds: orderNumber + refund id. */
  readonly idempotencyKey: string;
  readonly clinicId: string;
  readonly subject?: string | null;
  readonly payload: JobPayloadInput<K>;
  readonly maxAttempts?: number;
  /** Run no earlier than this (e.g. a reminder SMS). */
  readonly notBefore?: Date;
}

export interface EnqueuedJob {
  readonly id: string;
  /** false when a job with this kind and idempotency key already existed: nothing was added. */
  readonly created: boolean;
}

/**
 * Writes a job row. Takes a Transaction on purpose: the job must commit with the user's action
 * (ARCHITECTURE.md invariant 1), so "issued but never sent to Paynova" cannot happen.
 * Re-enqueueing the same (kind, idempotencyKey) is a no-op that returns the existing job.
 */
export async function enqueueJob<K extends JobKind>(trx: Transaction<LocalDatabase>, job: NewJob<K>, now: Date = new Date()): Promise<EnqueuedJob> {
  const kind = JobKind.parse(job.kind);
  const payload = JOB_PAYLOADS[kind].parse(job.payload);
  const key = z.string().min(1).max(200).parse(job.idempotencyKey);
  const existing = await trx.selectFrom('job').select('id').where('kind', '=', kind).where('idempotency_key', '=', key).executeTakeFirst();
  if (existing) return { id: existing.id, created: false };
  const id = randomUUID();
  const at = now.toISOString();
  await trx
    .insertInto('job')
    .values({
      id,
      kind,
      idempotency_key: key,
      clinic_id: job.clinicId,
      subject: job.subject ?? null,
      payload: JSON.stringify(payload),
      progress: '{}',
      status: 'pending',
      attempts: 0,
      max_attempts: job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS[kind],
      next_run_at: (job.notBefore ?? now).toISOString(),
      in_flight_since: null,
      uncertain: 0,
      last_error: null,
      last_error_code: null,
      result: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return { id, created: true };
}

/** What the desk shows next to an order or in the jobs list ("pending_provider" is this, not a status). */
export interface JobView {
  readonly id: string;
  readonly kind: JobKind;
  readonly subject: string | null;
  readonly status: JobStatus;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly nextRunAt: string | null;
  readonly lastError: string | null;
  readonly lastErrorCode: string | null;
  readonly result: unknown;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function toJobView(row: JobTable): JobView {
  const status = JobStatus.parse(row.status);
  return {
    id: row.id,
    kind: JobKind.parse(row.kind),
    subject: row.subject,
    status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    nextRunAt: status === 'pending' || status === 'in_flight' ? row.next_run_at : null,
    lastError: row.last_error,
    lastErrorCode: row.last_error_code,
    result: row.result ? JSON.parse(row.result) : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface JobFilter {
  readonly status?: readonly JobStatus[];
  readonly kind?: readonly JobKind[];
  readonly subject?: string;
  readonly clinicId?: string;
  readonly limit?: number;
}

export async function listJobs(db: Db, filter: JobFilter = {}): Promise<JobView[]> {
  let q = db.selectFrom('job').selectAll();
  if (filter.status?.length) q = q.where('status', 'in', [...filter.status]);
  if (filter.kind?.length) q = q.where('kind', 'in', [...filter.kind]);
  if (filter.subject) q = q.where('subject', '=', filter.subject);
  if (filter.clinicId) q = q.where('clinic_id', '=', filter.clinicId);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(Math.min(filter.limit ?? 200, 1000)).execute();
  return rows.map(toJobView);
}

/** A person retries a dead-lettered job (after fixing credentials, say): attempts start over. */
export async function retryDeadJob(db: Db, id: string, now: Date = new Date()): Promise<boolean> {
  const r = await db
    .updateTable('job')
    .set({ status: 'pending', attempts: 0, next_run_at: now.toISOString(), updated_at: now.toISOString() })
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Only a job that has not been sent can be withdrawn; an in_flight one may already be at the provider. */
export async function cancelJob(db: Db, id: string, now: Date = new Date()): Promise<boolean> {
  const r = await db
    .updateTable('job')
    .set({ status: 'cancelled', updated_at: now.toISOString() })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('attempts', '=', 0)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
