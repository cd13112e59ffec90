import { NoticeHandle } from '../../src-shared/schemas/commands';
import type { LocalStore } from '../db/open';
import type { Actor } from './actor';
import { parseInput, type ServiceResult } from './errors';
import type { WriteOutcome } from './patients';
import { commitCommand, runWrite } from './write';

/**
 * notice.handle: a person at this desk handled a central cancellation request. The local
 * notice_handling row (shown at once, also offline), the outbox mutation (the server records it
 * on the notice for every desk and the console) and the activity record commit together.
 * `orderId` is the request's order, the subject of the activity record.
 */
export async function handleNotice(store: LocalStore, actor: Actor, input: unknown, orderId: string, now = new Date()): Promise<ServiceResult<WriteOutcome>> {
  const parsed = parseInput(NoticeHandle, input);
  if (!parsed.ok) return parsed;
  const command = parsed.value;
  return runWrite(store, async (trx) => {
    // A corrected re-run after a rejection finds its first row: the handling stays as it was.
    await trx
      .insertInto('notice_handling')
      .values({ notice_id: command.noticeId, outcome: command.outcome, note: command.note, handled_by_user_id: actor.userId, handled_at: now.toISOString() })
      .onConflict((oc) => oc.column('notice_id').doNothing())
      .execute();
    const m = await commitCommand(store, trx, actor, 'notice.handle', command, `order:${orderId}`, { noticeId: command.noticeId, outcome: command.outcome, note: command.note || null }, now);
    return { mutationSeq: m.seq, mutationId: m.mutationId };
  });
}
