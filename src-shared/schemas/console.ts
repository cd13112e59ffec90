import { z } from 'zod';
import { dateSchema } from '../domain/dates';
import { CancelReason } from '../domain/order-state';
import { AccountView, CountryCode } from './accounts';
import { ActivityRecord } from './activity';
import { Id, Invoice, IsoDate, MoneyEvent, Order, Patient } from './entities';
import { OrderFilter, OrderListRow, OrderSortColumn, OrderSummary, SortDirection } from './queries';

/**
 * The console API (src-server/console, served under /console/api): every input the console sends
 * and every answer it gets. Inputs are strict (an unknown field is an error, named); the console
 * renders answers through these types only.
 */

export const CONSOLE_API = '/console/api';

// ---------- login ----------

export const ConsoleLogin = z
  .object({
    username: z.string().trim().toLowerCase().min(1, 'is required').max(40),
    password: z.string().min(1, 'is required').max(200),
    pin: z.string().regex(/^\d{4,8}$/, 'must be 4–8 digits'),
  })
  .strict();
export type ConsoleLogin = z.infer<typeof ConsoleLogin>;

export const ConsoleSession = z.object({
  token: z.string(),
  expiresAt: z.string(),
  user: AccountView,
  method: z.enum(['password', 'bankid']),
});
export type ConsoleSession = z.infer<typeof ConsoleSession>;

export const ConsoleMe = ConsoleSession.omit({ token: true });
export type ConsoleMe = z.infer<typeof ConsoleMe>;

/** A BankID login the server runs: the console gets a handle and the QR text to draw, nothing else. */
export const ConsoleBankIdStart = z.object({ id: z.string(), qr: z.string(), autoStartToken: z.string() });
export type ConsoleBankIdStart = z.infer<typeof ConsoleBankIdStart>;
export const ConsoleBankIdPoll = z.discriminatedUnion('status', [
  z.object({ status: z.literal('pending'), hintCode: z.string().nullable(), qr: z.string() }),
  z.object({ status: z.literal('failed'), hintCode: z.string(), message: z.string() }),
  z.object({ status: z.literal('complete'), session: ConsoleSession }),
]);
export type ConsoleBankIdPoll = z.infer<typeof ConsoleBankIdPoll>;

// ---------- clinics and devices ----------

const ClinicName = z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters');
const ClinicSettingsInput = z.record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean(), z.null()])).refine((r) => Object.keys(r).length <= 50, 'at most 50 settings');

export const ClinicCreate = z.object({ name: ClinicName, settings: ClinicSettingsInput.default({}) }).strict();
export type ClinicCreate = z.infer<typeof ClinicCreate>;
export const ClinicUpdate = z
  .object({ name: ClinicName.optional(), settings: ClinicSettingsInput.optional(), active: z.boolean().optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'must change at least one field', path: ['name'] });
export type ClinicUpdate = z.infer<typeof ClinicUpdate>;

export const ClinicView = z.object({
  id: Id,
  name: z.string(),
  active: z.boolean(),
  settings: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  users: z.number().int(),
  devices: z.number().int(),
  orders: z.number().int(),
});
export type ClinicView = z.infer<typeof ClinicView>;

export const DeviceView = z.object({
  id: Id,
  clinicId: Id,
  name: z.string(),
  enrolledAt: z.string(),
  revokedAt: z.string().nullable(),
  /** Last successful push or pull the server answered for this desk. */
  lastSyncAt: z.string().nullable(),
  lastSeq: z.number().int(),
});
export type DeviceView = z.infer<typeof DeviceView>;

export const EnrolmentCodeCreate = z.object({ validHours: z.number().int().min(1).max(24 * 30).default(24 * 7) }).strict();
export const EnrolmentCode = z.object({ code: z.string(), clinicId: Id, expiresAt: z.string() });
export type EnrolmentCode = z.infer<typeof EnrolmentCode>;

// ---------- orders across clinics ----------

/**
 * The desk's filters and sorts (OrderFilter, OrderSortColumn), across clinics, paged by keyset:
 * `cursor` is the previous page's `nextCursor` (null for the first page) and must come with the
 * same sort and direction.
 */
export const ConsoleOrderQuery = OrderFilter.extend({
  clinicId: Id.nullable().default(null),
  sort: OrderSortColumn.default('createdAt'),
  direction: SortDirection.default('desc'),
  limit: z.number().int().min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
  /** Longer than the desk's: a key here can be a whole patient name (two names of up to 100 characters). */
  cursor: z.string().max(2000, 'is not a cursor this server handed out').nullable().default(null),
}).strict();
export type ConsoleOrderQuery = z.infer<typeof ConsoleOrderQuery>;
export type ConsoleOrderQueryInput = z.input<typeof ConsoleOrderQuery>;

export const ConsoleOrderRow = OrderListRow.extend({ clinicId: Id, clinicName: z.string() });
export type ConsoleOrderRow = z.infer<typeof ConsoleOrderRow>;
/** `summary` (counts and sums per status over the whole filtered set) comes with the first page only. */
export const ConsoleOrderPage = z.object({ rows: z.array(ConsoleOrderRow), nextCursor: z.string().nullable(), summary: OrderSummary.nullable() });
export type ConsoleOrderPage = z.infer<typeof ConsoleOrderPage>;

/**
 * What the console asks a clinic to do with an order: the desk of that clinic receives it as a
 * `notice` entity on its change feed (kind cancellation_requested) and a person there acts on it;
 * the console never changes money itself.
 */
export const CancellationRequestInput = z.object({ reason: CancelReason, note: z.string().trim().max(500).default('') }).strict();
export type CancellationRequestInput = z.infer<typeof CancellationRequestInput>;

export const CancellationRequestNotice = z.object({
  kind: z.literal('cancellation_requested'),
  id: Id,
  orderId: Id,
  orderNumber: z.string(),
  reason: CancelReason,
  note: z.string(),
  requestedByUserId: Id,
  requestedByName: z.string(),
  at: z.string(),
  message: z.string(),
  /** Set by the server when a person at a desk handled the request (command notice.handle). */
  handled: z
    .object({ at: z.string(), byUserId: Id, byName: z.string(), deviceId: z.string(), outcome: z.enum(['cancelled', 'declined']), note: z.string() })
    .nullable()
    .optional(),
});
export type CancellationRequestNotice = z.infer<typeof CancellationRequestNotice>;

export const ConsoleOrderDetail = z.object({
  clinicId: Id,
  clinicName: z.string(),
  order: Order,
  patient: Patient.nullable(),
  invoices: z.array(Invoice),
  moneyEvents: z.array(MoneyEvent),
  cancellationRequests: z.array(CancellationRequestNotice),
  /** Whether the state machine still allows a cancellation from the current status. */
  cancellable: z.boolean(),
});
export type ConsoleOrderDetail = z.infer<typeof ConsoleOrderDetail>;

// ---------- activity ----------

export const ActivityQuery = z
  .object({
    clinicId: z.string().max(64).optional(),
    userId: z.string().max(64).optional(),
    action: z.string().max(64).optional(),
    country: z.union([CountryCode, z.literal('unknown')]).optional(),
    from: IsoDate.pipe(dateSchema).optional(),
    to: IsoDate.pipe(dateSchema).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });
export type ActivityQuery = z.input<typeof ActivityQuery>;

export const ActivityPage = z.object({ rows: z.array(ActivityRecord), total: z.number().int() });
export type ActivityPage = z.infer<typeof ActivityPage>;

export const ChainReport = z.object({
  chainId: z.string(),
  records: z.number().int(),
  ok: z.boolean(),
  problem: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'seq_gap', 'head_mismatch']).nullable(),
  seq: z.number().int().nullable(),
});
export const ChainVerification = z.object({ ok: z.boolean(), chains: z.array(ChainReport), checkedAt: z.string() });
export type ChainVerification = z.infer<typeof ChainVerification>;

/** Every refusal of the console API: `field` names the input that was wrong, when one was. */
export const ConsoleError = z.object({ error: z.string(), message: z.string(), field: z.string().optional() });
export type ConsoleError = z.infer<typeof ConsoleError>;
