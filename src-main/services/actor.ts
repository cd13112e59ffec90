import { z } from 'zod';
import { Id } from '../../src-shared/schemas/entities';
import { Role } from '../../src-shared/schemas/enums';

/**
 * Who performs a local write, and on which desk. Permission checks arrive with their own issue;
 * every service already takes the actor so the activity record and the outbox know who and where.
 * `deviceId` is the activity chain id and owns the invoice series.
 */
export const Actor = z.object({
  userId: Id,
  clinicId: Id,
  role: Role,
  deviceId: z.string().min(1).max(64),
});
export type Actor = z.infer<typeof Actor>;
