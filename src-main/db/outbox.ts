import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Selectable } from 'kysely';
import type { CommandName, CommandPayload } from '../../src-shared/schemas/commands';
import type { Db } from './activity-chain';
import type { OutboxTable } from './tables/core';

/**
 * The outbox: one row per named domain command the user performed locally, written in the SAME
 * transaction as the rows it changed (ARCHITECTURE.md invariant 1). `seq` is the per-device
 * mutation sequence the server records with (device, seq) so a replayed push is a no-op.
 * The push/pull loop (src-main/sync) owns everything after the row is written.
 */

export interface EnqueuedMutation {
  readonly seq: number;
  readonly mutationId: string;
}

/**
 * Appends one mutation. `payload` must be the OUTPUT of the command's schema (the services parse
 * the user's input once and pass the result; the type enforces it), so the server receives
 * exactly what the schema accepted. Call it INSIDE the write's transaction.
 */
export async function enqueueMutation<N extends CommandName>(
  db: Db,
  name: N,
  payload: CommandPayload<N>,
  now: Date = new Date(),
  mutationId: string = randomUUID(),
): Promise<EnqueuedMutation> {
  const row = await db
    .insertInto('outbox')
    .values({ mutation_id: mutationId, name, payload: JSON.stringify(payload), created_at: now.toISOString(), last_error: null, rejection_code: null, rejection_reason: null })
    .returning('seq')
    .executeTakeFirstOrThrow();
  return { seq: row.seq, mutationId };
}

/**
 * The same as enqueueMutation on the raw connection, with a statement prepared once: the write
 * hot paths call it inside the Kysely transaction that holds this very connection.
 */
export function enqueueMutationSync<N extends CommandName>(
  sqlite: Database.Database,
  name: N,
  payload: CommandPayload<N>,
  now: Date = new Date(),
  mutationId: string = randomUUID(),
): EnqueuedMutation {
  let st = insertStatements.get(sqlite);
  if (!st) {
    st = sqlite.prepare('INSERT INTO outbox (mutation_id, name, payload, created_at) VALUES (?, ?, ?, ?)');
    insertStatements.set(sqlite, st);
  }
  const r = st.run(mutationId, name, JSON.stringify(payload), now.toISOString());
  return { seq: Number(r.lastInsertRowid), mutationId };
}
const insertStatements = new WeakMap<Database.Database, Database.Statement>();

export type OutboxRow = Selectable<OutboxTable>;

/** Mutations waiting to be pushed, oldest first (the server must see them in seq order). */
export async function pendingMutations(db: Db, limit = 100): Promise<OutboxRow[]> {
  return db.selectFrom('outbox').selectAll().where('status', '=', 'pending').orderBy('seq').limit(limit).execute();
}

/** Everything a person must look at: rejected mutations are never dropped silently (invariant 3). */
export async function rejectedMutations(db: Db): Promise<OutboxRow[]> {
  return db.selectFrom('outbox').selectAll().where('status', '=', 'rejected').orderBy('seq').execute();
}

export async function outboxCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db.selectFrom('outbox').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
