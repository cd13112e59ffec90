import { ApiError, type OutboxEntry, type SyncStatus } from '../../../src-shared/api';
import { CommandName } from '../../../src-shared/schemas/commands';
import { appendActivity } from '../../db/activity-chain';
import { listJobs, retryDeadJob } from '../../jobs/queue';
import { createOrder, updateDraftOrder, cancelOrder, creditOrder } from '../../services/orders';
import { createPatient, updatePatient } from '../../services/patients';
import { issueInvoice } from '../../services/invoices';
import { handleNotice } from '../../services/notices';
import type { Actor } from '../../services/actor';
import type { ServiceResult } from '../../services/errors';
import type { WriteOutcome } from '../../services/patients';
import { touchedEntities } from '../../sync/touched';
import { actorOf, feedEntity, type CoreDeps } from '../deps';
import { centralSettings, installmentOffer } from '../service-settings';
import type { Handlers } from '../dispatch';
import { unwrapService } from '../errors';

function subjectOf(name: string, payload: unknown): string | null {
  const t = touchedEntities(name, payload)[0];
  return t ? `${t.entity}:${t.id}` : null;
}

/** The order a central request is about (the subject of its handling's activity record). */
function noticeOrder(deps: CoreDeps, payload: unknown): string {
  const id = (payload ?? {}) as { noticeId?: unknown };
  const orderId = typeof id.noticeId === 'string' ? feedEntity(deps, 'notice', id.noticeId)?.orderId : null;
  return typeof orderId === 'string' ? orderId : 'unknown';
}

/** Re-runs a corrected rejected change through the same service that wrote it the first time. */
async function rerun(deps: CoreDeps, actor: Actor, name: string, payload: unknown): Promise<string> {
  const command = CommandName.safeParse(name);
  if (!command.success) throw new ApiError('validation', `mutationId: ${name} cannot be corrected here`, 'mutationId');
  const run: Record<typeof command.data, () => Promise<ServiceResult<WriteOutcome>>> = {
    'patient.create': () => createPatient(deps.store, actor, payload),
    'patient.update': () => updatePatient(deps.store, actor, payload),
    'order.create': () => createOrder(deps.store, actor, payload),
    'order.update_draft': () => updateDraftOrder(deps.store, actor, payload),
    'order.cancel': () => cancelOrder(deps.store, actor, payload),
    'order.credit': () => creditOrder(deps.store, actor, payload),
    'invoice.issue': () => issueInvoice(deps.store, actor, payload, { planTerms: installmentOffer(centralSettings(deps)).terms }),
    'notice.handle': () => handleNotice(deps.store, actor, payload, noticeOrder(deps, payload)),
  };
  const r = unwrapService(await run[command.data]());
  return r.mutationId;
}

export function syncHandlers(deps: CoreDeps): Pick<Handlers, 'sync.status' | 'sync.outbox' | 'sync.now' | 'sync.fixRejected' | 'sync.discardRejected' | 'jobs.list' | 'jobs.retry'> {
  return {
    'sync.status': (): SyncStatus => {
      if (!deps.sync) {
        return { state: 'not_configured', serverUrl: null, lastSyncAt: null, pending: 0, rejected: 0, lastError: null, progress: null, activity: { phase: 'idle', pulled: 0, startCursor: 0, cursor: 0, headCursor: null }, activityUpload: { pending: 0, ackedSeq: 0, refused: null } };
      }
      const s = deps.sync.status();
      const state: SyncStatus['state'] = !s.enrolled ? 'not_configured' : s.online && !s.lastError ? (s.pending > 0 ? 'syncing' : 'online') : s.lastError && s.online ? 'error' : 'offline';
      return { state, serverUrl: deps.serverUrl, lastSyncAt: s.lastSuccessAt, pending: s.pending, rejected: s.rejected, lastError: s.lastError, progress: null, activity: s.activity, activityUpload: s.activityUpload };
    },
    'sync.outbox': (): OutboxEntry[] => {
      const pending = deps.store.sqlite
        .prepare(`SELECT seq, mutation_id, name, payload, created_at FROM outbox WHERE status IN ('pending','in_flight') ORDER BY seq LIMIT 500`)
        .all() as { seq: number; mutation_id: string; name: string; payload: string; created_at: string }[];
      const out: OutboxEntry[] = pending.map((r) => {
        const payload = JSON.parse(r.payload) as unknown;
        return { mutationId: r.mutation_id, seq: r.seq, name: r.name, subject: subjectOf(r.name, payload), payload, clientTime: r.created_at, state: 'pending', code: null, reason: null, field: null };
      });
      for (const r of deps.sync?.rejectedMutations() ?? []) {
        out.push({ mutationId: r.mutationId, seq: r.seq, name: r.name, subject: subjectOf(r.name, r.payload), payload: r.payload, clientTime: r.createdAt, state: 'rejected', code: r.code, reason: r.reason, field: r.field });
      }
      return out;
    },
    'sync.now': async () => {
      if (!deps.sync) throw new ApiError('unavailable', 'No sync server is configured for this desk.');
      deps.afterWrite();
      await deps.sync.syncOnce().catch((e: unknown) => {
        throw new ApiError('unavailable', e instanceof Error ? e.message : 'The sync server cannot be reached.');
      });
      return { ok: true as const };
    },
    'sync.fixRejected': async (input, ctx) => {
      const actor = actorOf(deps, ctx.session);
      const entry = deps.sync?.rejectedMutations().find((r) => r.mutationId === input.mutationId);
      if (!entry) throw new ApiError('not_found', 'mutationId: no such rejected change', 'mutationId');
      const replacedBy = await rerun(deps, actor, entry.name, input.payload);
      deps.sync?.resolveRejected(entry.mutationId, replacedBy);
      deps.afterWrite();
      return { ok: true as const };
    },
    'sync.discardRejected': async (input, ctx) => {
      const actor = actorOf(deps, ctx.session);
      const entry = deps.sync?.rejectedMutations().find((r) => r.mutationId === input.mutationId);
      if (!entry || !deps.sync?.resolveRejected(entry.mutationId, null)) throw new ApiError('not_found', 'mutationId: no such rejected change', 'mutationId');
      await appendActivity(deps.store.db, actor.deviceId, {
        clinicId: actor.clinicId, actorUserId: actor.userId, action: 'sync.discard_rejected', subject: subjectOf(entry.name, entry.payload), outcome: 'ok', country: null, ip: null,
        details: { mutationId: entry.mutationId, name: entry.name, code: entry.code, reason: input.reason },
      });
      return { ok: true as const };
    },
    'jobs.list': async (input) => {
      const status = input.status === 'active' ? (['pending', 'in_flight'] as const) : input.status === 'dead' ? (['dead', 'failed'] as const) : undefined;
      const jobs = await listJobs(deps.store.db, { ...(status ? { status } : {}), limit: input.limit });
      return jobs.map(({ id, kind, subject, status: st, attempts, maxAttempts, nextRunAt, lastError, lastErrorCode, updatedAt }) => ({ id, kind, subject, status: st, attempts, maxAttempts, nextRunAt, lastError, lastErrorCode, updatedAt }));
    },
    'jobs.retry': async (input) => {
      if (!(await retryDeadJob(deps.store.db, input.id))) throw new ApiError('conflict', 'id: only a stopped (dead-lettered) job can be retried', 'id');
      deps.afterWrite();
      return { ok: true as const };
    },
  };
}
