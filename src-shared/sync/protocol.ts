import { z } from 'zod';

/**
 * The sync wire protocol between a desk and the sync server (docs/sync.md).
 *
 * Versioning: the desk sends PROTOCOL_HEADER on every call. The server serves every version in
 * [MIN_SUPPORTED_PROTOCOL, PROTOCOL_VERSION]; an older client gets 426 (update the desk), a newer
 * one 400 (the server must be updated first). Bump PROTOCOL_VERSION on any incompatible change to
 * the shapes below and keep the server accepting the previous version for one release.
 */
export const PROTOCOL_VERSION = 1;
export const MIN_SUPPORTED_PROTOCOL = 1;
export const PROTOCOL_HEADER = 'x-kassa-protocol';

/** The largest batch a desk may push in one request (server refuses more with 400). */
export const MAX_PUSH_BATCH = 500;
export const MAX_PULL_LIMIT = 5000;
export const DEFAULT_PULL_LIMIT = 1000;

export const MutationName = z
  .string()
  .min(3)
  .max(64)
  .regex(/^[a-z][a-z_]*\.[a-z][a-z_]*$/, 'must look like "order.create"');

export const DeviceId = z.string().uuid();

/** One named domain command as the desk recorded it in its outbox (invariant 2). */
export const MutationEnvelope = z.object({
  /** Client-generated; the same mutation keeps it across retries. */
  mutationId: z.string().uuid(),
  deviceId: DeviceId,
  /** Per-device, gap-free, starting at 1. */
  seq: z.number().int().positive().safe(),
  name: MutationName,
  /** The user who made the change on the desk (offline login included); checked server-side. */
  actorUserId: z.string().uuid(),
  payload: z.unknown(),
  /** For display and audit only: no client clock ever decides order. */
  clientTime: z.string().datetime({ offset: true }),
});
export type MutationEnvelope = z.infer<typeof MutationEnvelope>;

export const PushRequest = z.object({
  mutations: z.array(MutationEnvelope).min(1, 'must hold at least one mutation').max(MAX_PUSH_BATCH, `at most ${MAX_PUSH_BATCH} mutations per push`),
});
export type PushRequest = z.infer<typeof PushRequest>;

/** Machine-readable reasons a mutation is refused; the human reason travels next to it. */
export const RejectCode = z.enum([
  'invalid_payload', // the command's schema refused the payload (field named in `field`)
  'unknown_command',
  'forbidden', // role may not run this command
  'unknown_actor', // actorUserId is not an active user of this clinic
  'not_found', // the entity does not exist in this clinic
  'already_exists',
  'conflict', // the state machine refused the transition (another desk got there first)
  'not_draft', // a draft-only edit on an order that is no longer a draft
  'domain_rule', // any other domain rule (amounts, series ownership, ...)
  'sequence_reused', // the (device, seq) was already used by a different mutationId
]);
export type RejectCode = z.infer<typeof RejectCode>;

export const MutationResult = z.discriminatedUnion('status', [
  z.object({ status: z.literal('applied'), mutationId: z.string().uuid(), seq: z.number().int() }),
  z.object({
    status: z.literal('duplicate'),
    mutationId: z.string().uuid(),
    seq: z.number().int(),
    /** What happened the first time, so a desk that lost the answer still learns it. */
    original: z.enum(['applied', 'rejected']),
    code: RejectCode.optional(),
    reason: z.string().optional(),
    field: z.string().optional(),
  }),
  z.object({
    status: z.literal('rejected'),
    mutationId: z.string().uuid(),
    seq: z.number().int(),
    code: RejectCode,
    reason: z.string(),
    field: z.string().optional(),
  }),
]);
export type MutationResult = z.infer<typeof MutationResult>;

export const PushResponse = z.object({
  results: z.array(MutationResult),
  /** The highest seq the server has recorded for this device after this push. */
  lastSeq: z.number().int().nonnegative(),
});
export type PushResponse = z.infer<typeof PushResponse>;

/** Entities that flow through the change feed; reference data included. */
// user_verifier (offline login) and service_settings: issue 6, src-shared/schemas/accounts.ts.
export const ChangeEntity = z.enum(['patient', 'order', 'invoice', 'money_event', 'user', 'price_item', 'clinic', 'notice', 'user_verifier', 'service_settings']);
export type ChangeEntity = z.infer<typeof ChangeEntity>;

export const Change = z.object({
  /** Server-assigned, per clinic, gap-free and increasing: the only order that counts. */
  cursor: z.number().int().positive(),
  entity: ChangeEntity,
  entityId: z.string().min(1).max(128),
  op: z.enum(['upsert', 'delete']),
  // Checked for shape, not copied: an initial sync parses hundreds of thousands of documents, and
  // each entity's own rules are the server's (the desk writes them through its mappers).
  data: z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'must be an object').nullable(),
  /** The mutation that caused the change, if any (lets a desk reconcile its optimistic state). */
  mutationId: z.string().uuid().nullable(),
});
export type Change = z.infer<typeof Change>;

export const PullQuery = z.object({
  cursor: z.coerce.number().int('must be a whole number').nonnegative('must be 0 or more').safe().default(0),
  limit: z.coerce.number().int('must be a whole number').min(1).max(MAX_PULL_LIMIT).default(DEFAULT_PULL_LIMIT),
});
export type PullQuery = z.infer<typeof PullQuery>;

export const PullPage = z.object({
  changes: z.array(Change),
  /** Pass it back as `cursor` next time; equals the request cursor when nothing is new. */
  nextCursor: z.number().int().nonnegative(),
  hasMore: z.boolean(),
  /**
   * The clinic's newest cursor when the page was read, so a desk can show how far a long pull
   * has come. Optional: servers before it omit it and desks before it ignore it.
   */
  headCursor: z.number().int().nonnegative().optional(),
});
export type PullPage = z.infer<typeof PullPage>;

/**
 * Server-sent events on GET /v1/sync/events. `changes` carries the clinic's newest cursor: a desk
 * whose own cursor is lower pulls. `hello` is sent on connect, so a desk pulls once after every
 * (re)connection and cannot miss what happened while it was disconnected.
 */
export const SyncEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), cursor: z.number().int().nonnegative() }),
  z.object({ type: z.literal('changes'), cursor: z.number().int().nonnegative() }),
]);
export type SyncEvent = z.infer<typeof SyncEvent>;

/** Every non-2xx answer of the server has this body; `message` is written for a person. */
export const ApiError = z.object({
  error: z.string(),
  message: z.string(),
  field: z.string().optional(),
  expectedSeq: z.number().int().optional(),
  serverProtocol: z.number().int().optional(),
});
export type ApiError = z.infer<typeof ApiError>;

// ---------- enrolment and sessions ----------

export const EnrolRequest = z.object({
  code: z.string().trim().min(8, 'is too short').max(64),
  deviceName: z.string().trim().min(1, 'is required').max(100),
});
export type EnrolRequest = z.infer<typeof EnrolRequest>;

export const EnrolResponse = z.object({
  deviceId: DeviceId,
  clinicId: z.string().uuid(),
  /** Shown once; the desk stores it in the OS keychain. The server keeps only a hash. */
  deviceCredential: z.string().min(32),
});
export type EnrolResponse = z.infer<typeof EnrolResponse>;

/** Login methods are a union so personal-ID (BankID) login can be added as another member. */
export const LoginRequest = z.discriminatedUnion('method', [
  z.object({
    method: z.literal('password'),
    username: z.string().trim().toLowerCase().min(1, 'is required').max(40),
    password: z.string().min(1, 'is required').max(200),
    pin: z.string().regex(/^\d{4,8}$/, 'must be 4–8 digits'),
  }),
]);
export type LoginRequest = z.infer<typeof LoginRequest>;

export const SessionTokens = z.object({
  accessToken: z.string(),
  accessExpiresAt: z.string(),
  refreshToken: z.string(),
  refreshExpiresAt: z.string(),
  userId: z.string().uuid(),
  role: z.string(),
});
export type SessionTokens = z.infer<typeof SessionTokens>;

export const RefreshRequest = z.object({ refreshToken: z.string().min(10).max(300) });
export type RefreshRequest = z.infer<typeof RefreshRequest>;

/** How the desk authenticates a device-level call (sync runs when nobody is logged in, too). */
export function deviceAuthorization(deviceId: string, credential: string): string {
  return `Device ${deviceId}:${credential}`;
}
