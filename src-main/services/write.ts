import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { ok } from '../../src-shared/domain/result';
import type { CommandName, CommandPayload } from '../../src-shared/schemas/commands';
import { appendActivitySync } from '../db/activity-chain';
import type { LocalDatabase } from '../db/database';
import type { LocalStore } from '../db/open';
import type { EnqueuedMutation } from '../db/outbox';
import { prepared } from '../db/statements';
import type { Actor } from './actor';
import { serviceError, WriteRefused, type ServiceError, type ServiceResult } from './errors';

export type Trx = Transaction<LocalDatabase>;

/**
 * Follow-up work that must commit or vanish with the write: runs inside the write's transaction,
 * after its rows, outbox mutation and activity record, before COMMIT. The provider jobs of a desk
 * action go here (ARCHITECTURE.md, Integrations: a crash between the action and its jobs must not
 * leave an issued invoice that Paynova never hears of). It must use `trx` only: the store has one
 * connection, so `store.db` inside the transaction would wait on itself. Throwing rolls the whole
 * write back; a refusal that is a fact for the desk (e.g. no SMS to an opted-out patient) is not
 * a throw.
 */
export type AlsoInTransaction<T> = (trx: Trx, result: T) => Promise<void>;

export interface WriteOptions<T = never> {
  /** The instant the write happens (tests pin it; default: now). */
  readonly now?: Date;
  /** Runs in the same transaction before COMMIT (see AlsoInTransaction). */
  readonly also?: AlsoInTransaction<T>;
}

/**
 * Runs one user write as ONE SQLite transaction (ARCHITECTURE.md invariant 1). `fn` writes its
 * rows and calls `commitCommand` exactly once; throwing WriteRefused (or anything else) rolls the
 * whole thing back, so a refused write leaves no row, no outbox mutation and no activity record.
 * `also` (the caller's follow-up jobs) runs in the same transaction, so they share that fate.
 */
export async function runWrite<T>(store: LocalStore, fn: (trx: Trx) => Promise<T>, also?: AlsoInTransaction<T>): Promise<ServiceResult<T>> {
  try {
    return ok(
      await store.db.transaction().execute(async (trx) => {
        const result = await fn(trx);
        if (also) await also(trx, result);
        return result;
      }),
    );
  } catch (e) {
    if (e instanceof WriteRefused) return { ok: false, error: e.error };
    const constraint = uniqueViolation(e);
    if (constraint) return { ok: false, error: constraint };
    throw e;
  }
}

export function refuse(error: ServiceError): never {
  throw new WriteRefused(error);
}

/** A unique index the services did not pre-check (a race, or an id reused by the caller). */
function uniqueViolation(e: unknown): ServiceError | null {
  if (!(e instanceof Error) || (e as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE' && (e as { code?: string }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return null;
  const m = /constraint failed: (\w+)\.(\w+)/.exec(e.message);
  const column = m?.[2] ?? 'id';
  const field = { order_number: 'orderNumber', personnummer: 'personnummer', invoice_number: 'invoiceNumber', ocr_code: 'ocrCode', prefix: 'prefix', mutation_id: 'mutationId', id: 'id' }[column] ?? column;
  return serviceError('duplicate', `${field}: already exists`, field);
}

/**
 * The two records every user write ends with, inside its transaction: the outbox mutation (name =
 * the command, payload = the validated command, actor = who ran it) and the activity record on
 * this device's chain. The record's details carry the mutationId (src-main/sync links the two by
 * it). `store.sqlite` is the connection `trx` holds, so the prepared outbox insert and activity
 * append (statements prepared once, not Kysely queries compiled per call: this runs on every
 * write) are inside the same transaction; `trx` is the proof that the caller is in one. A write
 * whose rows must carry the mutation id (the cancellation money event, which the server records
 * under the same id) picks it first and passes it as `mutationId`.
 */
export async function commitCommand<N extends CommandName>(
  store: LocalStore,
  trx: Trx,
  actor: Actor,
  name: N,
  payload: CommandPayload<N>,
  subject: string,
  details: Record<string, string | number | boolean | null>,
  now: Date,
  mutationId: string = randomUUID(),
): Promise<EnqueuedMutation> {
  const mutation = enqueueWithActor(store, actor, name, payload, now, mutationId);
  appendActivitySync(
    store.sqlite,
    actor.deviceId,
    {
      clinicId: actor.clinicId,
      actorUserId: actor.userId,
      action: name,
      subject,
      outcome: 'ok',
      country: null,
      ip: null,
      details: { ...details, mutationId: mutation.mutationId, mutationSeq: mutation.seq },
    },
    now,
  );
  return mutation;
}

/**
 * The outbox row with its actor written explicitly (the server re-checks who made each change).
 * 003_sync's trigger that copies the actor from the activity record stays as a fallback for any
 * other writer; it only fills a NULL, so it leaves this row alone.
 */
function enqueueWithActor<N extends CommandName>(store: LocalStore, actor: Actor, name: N, payload: CommandPayload<N>, now: Date, mutationId: string): EnqueuedMutation {
  const r = prepared(store.sqlite, 'INSERT INTO outbox (mutation_id, name, payload, created_at, actor_user_id) VALUES (?, ?, ?, ?, ?)').run(
    mutationId, name, JSON.stringify(payload), now.toISOString(), actor.userId,
  );
  return { seq: Number(r.lastInsertRowid), mutationId };
}
