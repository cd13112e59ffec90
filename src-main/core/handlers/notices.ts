import { ApiError, type NoticeView } from '../../../src-shared/api';
import { CancellationRequestNotice } from '../../../src-shared/schemas/notices';
import { OrderStatus } from '../../../src-shared/schemas/enums';
import { handleNotice } from '../../services/notices';
import { actorOf, feedEntities, type CoreDeps } from '../deps';
import type { Handlers } from '../dispatch';
import { notFound, unwrapService } from '../errors';
import { userNames } from './orders';

/** Statuses in which a cancellation request has nothing left to ask for. */
const SETTLED: ReadonlySet<string> = new Set(['cancelled', 'credited', 'rejected']);

/**
 * The central office's cancellation requests for this clinic (entity `notice` on the feed, kept in
 * sync_entities), with this desk's handling. A request is open until a person handles it or the
 * order gets cancelled some other way (another desk, before the request arrived).
 */
export function listNotices(deps: CoreDeps, clinicId: string, filter: { orderId?: string | undefined; openOnly: boolean }): NoticeView[] {
  const requests = feedEntities(deps, 'notice').flatMap((raw) => {
    // The feed is outside input: a notice of another kind, or one this desk cannot read, is skipped.
    const p = CancellationRequestNotice.safeParse(raw);
    return p.success && (!filter.orderId || p.data.orderId === filter.orderId) ? [p.data] : [];
  });
  if (requests.length === 0) return [];
  const status = deps.store.sqlite.prepare(`SELECT status FROM orders WHERE id = ? AND clinic_id = ?`);
  const handled = deps.store.sqlite.prepare(`SELECT handled_at, handled_by_user_id FROM notice_handling WHERE notice_id = ?`);
  const who = userNames(deps);
  const out: NoticeView[] = [];
  for (const n of requests) {
    const row = status.get(n.orderId, clinicId) as { status: string } | undefined;
    const orderStatus = row ? OrderStatus.parse(row.status) : null;
    // Handled here (at once, even offline) or, as the server recorded it, at any desk of the clinic.
    const h = handled.get(n.id) as { handled_at: string; handled_by_user_id: string } | undefined;
    const handledAt = h?.handled_at ?? n.handled?.at ?? null;
    const handledByName = h ? (who.get(h.handled_by_user_id) ?? null) : n.handled ? n.handled.byName || (who.get(n.handled.byUserId) ?? null) : null;
    const open = !handledAt && !(orderStatus && SETTLED.has(orderStatus));
    if (filter.openOnly && !open) continue;
    out.push({ ...n, orderStatus, handledAt, handledByName, open });
  }
  // Open first, newest first within each group.
  return out.sort((a, b) => Number(b.open) - Number(a.open) || b.at.localeCompare(a.at));
}

export function noticeHandlers(deps: CoreDeps): Pick<Handlers, 'notices.list' | 'notices.handle'> {
  return {
    'notices.list': (input, ctx) => listNotices(deps, actorOf(deps, ctx.session).clinicId, input),
    'notices.handle': async (input, ctx) => {
      const actor = actorOf(deps, ctx.session);
      const notice = listNotices(deps, actor.clinicId, { openOnly: false }).find((n) => n.id === input.id);
      if (!notice) throw notFound('notice');
      if (notice.handledAt) throw new ApiError('conflict', 'id: this request was already handled', 'id');
      unwrapService(await handleNotice(deps.store, actor, { noticeId: notice.id, outcome: input.outcome, note: input.note }, notice.orderId));
      deps.afterWrite();
      return { ok: true as const };
    },
  };
}
