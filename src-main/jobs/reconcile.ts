import type { Kysely } from 'kysely';
import type { LocalDatabase } from '../db/database';
import { enqueueJob } from './queue';

/** Paynova orders that can still change at the provider (paid, annulled, refunded...). */
export const OPEN_ORDER_STATES = ['created', 'authorized', 'finalized'] as const;

/**
 * Enqueues one reconcile.order job per open order not checked within `intervalMs`. The key has the
 * interval's slot in it, so a second call in the same slot adds nothing.
 */
export async function scheduleReconciliation(db: Kysely<LocalDatabase>, intervalMs: number, now: Date = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - intervalMs).toISOString();
  const due = await db
    .selectFrom('paynova_order')
    .select(['order_number', 'clinic_id'])
    .where('state', 'in', [...OPEN_ORDER_STATES])
    .where((eb) => eb.or([eb('last_checked_at', 'is', null), eb('last_checked_at', '<=', cutoff)]))
    .execute();
  if (!due.length) return 0;
  const slot = Math.floor(now.getTime() / intervalMs);
  let added = 0;
  await db.transaction().execute(async (trx) => {
    for (const o of due) {
      const r = await enqueueJob(trx, { kind: 'reconcile.order', idempotencyKey: `${o.order_number}@${slot}`, clinicId: o.clinic_id, subject: `paynova-order:${o.order_number}`, payload: { orderNumber: o.order_number } }, now);
      if (r.created) added += 1;
    }
  });
  return added;
}

/** Runs scheduleReconciliation every `intervalMs` until stopped. */
export function startReconciliation(db: Kysely<LocalDatabase>, intervalMs: number, onError: (e: unknown) => void = () => undefined): () => void {
  const timer = setInterval(() => {
    scheduleReconciliation(db, intervalMs).catch(onError);
  }, intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
