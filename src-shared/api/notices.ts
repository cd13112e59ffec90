import { z } from 'zod';
import { Id, IsoDateTime } from '../schemas/entities';
import { OrderStatus } from '../schemas/enums';
import { NoticeHandle } from '../schemas/commands';
import { CancellationRequestNotice } from '../schemas/notices';

/**
 * The central office's requests as the desk shows them (issue 6): a cancellation request the
 * console sent, with what the desk knows of its order and whether a person here has handled it.
 * Handling is the synced command notice.handle: shown here at once, recorded by the server on the
 * notice for every desk of the clinic and the console.
 */
export const NoticeView = CancellationRequestNotice.extend({
  /** The order as this desk has it now (null if the order has not reached this desk yet). */
  orderStatus: OrderStatus.nullable(),
  handledAt: IsoDateTime.nullable(),
  handledByName: z.string().nullable(),
  /** Still waiting for a person: not handled here and the order is not cancelled yet. */
  open: z.boolean(),
});
export type NoticeView = z.infer<typeof NoticeView>;

export const NoticesListInput = z.object({
  orderId: Id.optional(),
  openOnly: z.boolean().default(false),
});
/** What the person did about it: cancelled the order, or decided not to (the command requires a note why). */
export const NoticeHandleInput = z.object({ id: Id, outcome: NoticeHandle.shape.outcome, note: NoticeHandle.shape.note });
export type NoticeHandleInput = z.infer<typeof NoticeHandleInput>;
