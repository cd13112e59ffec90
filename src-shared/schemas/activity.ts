import { z } from 'zod';

/**
 * One activity record: who, when, what, from where (domain.md "Activity records").
 * Records are append-only and hash-chained per device (desk) and per server, so an edit, removal
 * or reordering is detectable. `details` must never hold a secret: callers pass facts only.
 */
export const ActivityAction = z.string().min(3).max(64).regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/, 'must look like "order.create"');

export const ActivityInput = z.object({
  clinicId: z.string().min(1).max(64),
  actorUserId: z.string().min(1).max(64).nullable(),
  action: ActivityAction,
  /** The thing acted on, e.g. "order:9f2c…". */
  subject: z.string().max(128).nullable(),
  outcome: z.enum(['ok', 'failed', 'refused']),
  /** Country (ISO alpha-2) of the actor's IP when known, else null. */
  country: z.string().length(2).nullable(),
  ip: z.string().max(64).nullable(),
  details: z.record(z.string(), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()])).default({}),
});
export type ActivityInput = z.input<typeof ActivityInput>;

export const ActivityRecord = ActivityInput.extend({
  id: z.string().uuid(),
  /** Chain identity: the desk device id, or "server". */
  chainId: z.string().min(1).max(64),
  seq: z.number().int().positive(),
  at: z.string().datetime(),
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
export type ActivityRecord = z.infer<typeof ActivityRecord>;

export const GENESIS_HASH = '0'.repeat(64);

/**
 * The exact bytes that are hashed: a fixed field order so desk and server compute the same hash
 * for the same record (the server re-verifies chains it receives through sync).
 */
export function activityHashInput(r: Omit<ActivityRecord, 'hash'>): string {
  const details = Object.keys(r.details)
    .sort()
    .map((k) => [k, r.details[k]]);
  return JSON.stringify([
    r.chainId, r.seq, r.id, r.at, r.clinicId, r.actorUserId, r.action, r.subject, r.outcome, r.country, r.ip, details, r.prevHash,
  ]);
}

/** POST /v1/activity/push: a slice of a desk's chain, which must continue what the server stored. */
export const MAX_ACTIVITY_PUSH = 1000;
export const ActivityPush = z.object({ records: z.array(ActivityRecord).min(1).max(MAX_ACTIVITY_PUSH) }).strict();
export type ActivityPush = z.infer<typeof ActivityPush>;
/** The newest seq of the desk's chain the server holds after the push. */
export const ActivityPushAck = z.object({ lastSeq: z.number().int().nonnegative() });
export type ActivityPushAck = z.infer<typeof ActivityPushAck>;
