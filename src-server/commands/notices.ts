import { err, ok, type Result } from '../../src-shared/domain/result';
import { NoticeHandle } from '../../src-shared/schemas/commands';
import { CancellationRequestNotice } from '../../src-shared/schemas/console';
import { defineCommand, type Rejection } from './registry';

const DESK_ROLES = ['staff', 'clinic_admin', 'system_admin'] as const;

const reject = (code: Rejection['code'], reason: string, field?: string): Result<never, Rejection> =>
  err(field === undefined ? { code, reason } : { code, reason, field });

export const noticeCommands = {
  /**
   * A desk handled a cancellation request: recorded on the notice itself (every desk pulls it, the
   * console shows it). Only once: a second desk handling the same request is told who did.
   */
  'notice.handle': defineCommand({
    schema: NoticeHandle,
    roles: DESK_ROLES,
    reads: (input) => ({ entities: [['notice', input.noticeId]] }),
    async apply(ctx, input) {
      const doc = await ctx.store.get('notice', input.noticeId);
      const notice = CancellationRequestNotice.safeParse(doc);
      if (!doc || !notice.success) return reject('not_found', `There is no cancellation request ${input.noticeId} in this clinic.`, 'noticeId');
      const done = notice.data.handled;
      if (done) return reject('conflict', `${done.byName || 'Another desk'} already handled this request (${done.outcome}) at ${done.at}.`, 'noticeId');
      const user = await ctx.store.get('user', ctx.actor.id);
      const byName = typeof user?.displayName === 'string' ? user.displayName : '';
      ctx.store.put('notice', input.noticeId, { ...doc, handled: { at: ctx.now, byUserId: ctx.actor.id, byName, deviceId: ctx.deviceId, outcome: input.outcome, note: input.note } }, ctx.mutationId);
      return ok(undefined);
    },
  }),
};
