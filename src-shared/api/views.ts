import { z } from 'zod';
import { ActivityRecord } from '../schemas/activity';
import { BankIdFlowUpdate } from '../schemas/bankid';
import { Clinic, Id, Invoice, InstallmentPlanRecord, IsoDate, IsoDateTime, MoneyEvent, NonNegativeOre, Ore, Order, Patient, PriceItem, SmsMessage, User } from '../schemas/entities';
import { Language, OrderStatus, PaymentOption, StatusReason } from '../schemas/enums';
import { SmsTemplateKey } from '../schemas/providers';
import { ApiErrorBody } from './errors';

/**
 * What the desk sees. Built from the entity schemas (pick/extend), never re-declared, so a change
 * to an entity flows to the UI's types and to the output validation of every call.
 */

export const LoginMethod = z.enum(['password', 'bankid']);

export const SessionView = z.object({
  user: User.pick({ id: true, username: true, displayName: true, role: true, language: true, clinicId: true }),
  clinic: Clinic.pick({ id: true, name: true }).nullable(),
  method: LoginMethod,
  /** True when the server was unreachable and the desk verified the login itself (issue 6). */
  offline: z.boolean(),
  expiresAt: IsoDateTime,
});
export type SessionView = z.infer<typeof SessionView>;

/**
 * A desk BankID login as the renderer sees it (issue 6): BankID's own progress (the QR text to
 * draw, the hint in the UI language) plus the desk's: logging in at the server, logged in (with
 * the session, as a password login gives it) or refused with the server's reason. Built on the
 * flow's update, which is strict: orderRef, qrStartSecret and completion data stay in main.
 */
export const BankIdLoginStatus = z.enum(['pending', 'logging_in', 'logged_in', 'failed', 'refused', 'cancelled']);
export type BankIdLoginStatus = z.infer<typeof BankIdLoginStatus>;
export const BankIdProgress = BankIdFlowUpdate.extend({
  status: BankIdLoginStatus,
  /** "BankID on this computer" or the QR for Mobile BankID: decides the hint texts. */
  sameDevice: z.boolean(),
  session: SessionView.nullable(),
  /** Why the server (or the desk) refused a completed BankID identification. */
  error: ApiErrorBody.nullable(),
});
export type BankIdProgress = z.infer<typeof BankIdProgress>;

export const PatientSummary = Patient.pick({
  id: true, personnummer: true, firstName: true, lastName: true, phone: true, language: true, smsConsent: true, smsBlockedReason: true,
}).extend({ balance: Ore, orderCount: z.number().int().nonnegative() });
export type PatientSummary = z.infer<typeof PatientSummary>;

/** A fact about the outbox or the jobs, shown next to the status (domain.md: not a status). */
export const PendingFacts = z.object({
  sync: z.enum(['synced', 'pending', 'rejected']),
  provider: z.enum(['none', 'pending', 'failed', 'dead']),
});
export type PendingFacts = z.infer<typeof PendingFacts>;

export const OrderRow = Order.pick({
  id: true, orderNumber: true, patientId: true, clinician: true, status: true, statusReason: true, paymentOption: true,
  total: true, creditedTotal: true, paidTotal: true, createdAt: true, updatedAt: true,
}).extend({
  patientName: z.string(),
  personnummer: z.string(),
  invoiceNumber: z.string().nullable(),
  dueDate: IsoDate.nullable(),
  balance: Ore,
  pending: PendingFacts,
});
export type OrderRow = z.infer<typeof OrderRow>;

/** Accounts receivable over the whole filtered set (not just the page). */
export const ArSummary = z.object({
  count: z.number().int().nonnegative(),
  total: Ore,
  outstanding: Ore,
  overdue: Ore,
  overdueCount: z.number().int().nonnegative(),
  installments: Ore,
  paid: Ore,
});
export type ArSummary = z.infer<typeof ArSummary>;

export const TimelineEntry = z.object({
  at: IsoDateTime,
  status: OrderStatus.nullable(),
  event: z.string().max(64),
  reason: StatusReason,
  note: z.string().max(500).nullable(),
  actor: z.string().max(100).nullable(),
  amount: Ore.nullable(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const JobView = z.object({
  id: z.string(),
  kind: z.string(),
  subject: z.string().nullable(),
  /** The durable job states of src-main/jobs (pending = waiting for its next run). */
  status: z.enum(['pending', 'in_flight', 'succeeded', 'failed', 'dead', 'cancelled']),
  attempts: z.number().int().nonnegative(),
  maxAttempts: z.number().int().nonnegative(),
  nextRunAt: IsoDateTime.nullable(),
  lastError: z.string().nullable(),
  lastErrorCode: z.string().nullable(),
  updatedAt: IsoDateTime,
});
export type JobView = z.infer<typeof JobView>;

/** One SMS about the order as the desk tracks it (Twilio sid, delivery status that only moves forward). */
export const SmsView = SmsMessage.pick({ status: true, errorCode: true, createdAt: true, updatedAt: true }).extend({
  id: z.string(),
  template: SmsTemplateKey.nullable(),
  to: z.string().nullable(),
});
export type SmsView = z.infer<typeof SmsView>;

export const OrderDetail = z.object({
  order: Order,
  patient: Patient,
  invoice: Invoice.nullable(),
  plan: InstallmentPlanRecord.nullable(),
  moneyEvents: z.array(MoneyEvent),
  timeline: z.array(TimelineEntry),
  sms: z.array(SmsView),
  jobs: z.array(JobView),
  pending: PendingFacts,
  balance: Ore,
  /** The amount still creditable (total − credits). */
  creditable: NonNegativeOre,
  allowed: z.object({ edit: z.boolean(), issue: z.boolean(), cancel: z.boolean(), credit: z.boolean() }),
});
export type OrderDetail = z.infer<typeof OrderDetail>;

export const PatientDetail = z.object({
  patient: Patient,
  orders: z.array(OrderRow),
  balance: Ore,
});
export type PatientDetail = z.infer<typeof PatientDetail>;

export const PaymentOptionView = z.object({
  option: PaymentOption,
  months: z.number().int().nonnegative(),
  monthlyAmount: NonNegativeOre,
  /** Everything the patient pays: principal + interest + fees. */
  totalPayable: NonNegativeOre,
  /** totalPayable − principal. */
  creditCost: NonNegativeOre,
  /** Effektiv ränta as a fraction (0.151 = 15.1 %). */
  effectiveAnnualRate: z.number().min(0),
  annualInterestBp: z.number().int().nonnegative(),
  setupFee: NonNegativeOre,
  monthlyFee: NonNegativeOre,
  creditCheck: z.boolean(),
});
export type PaymentOptionView = z.infer<typeof PaymentOptionView>;

/**
 * What the sync core is doing now. While pulling, `pulled` counts the changes applied since this
 * pull began at `startCursor`; `headCursor` is the clinic's newest cursor as the server last told
 * it (null until a server that reports it answers), so `headCursor - startCursor` is the total.
 */
export const SyncActivity = z.object({
  phase: z.enum(['idle', 'pulling', 'pushing', 'uploading']),
  pulled: z.number().int().nonnegative(),
  startCursor: z.number().int().nonnegative(),
  cursor: z.number().int().nonnegative(),
  headCursor: z.number().int().nonnegative().nullable(),
});
export type SyncActivity = z.infer<typeof SyncActivity>;

export const SyncStatus = z.object({
  state: z.enum(['online', 'offline', 'syncing', 'not_configured', 'error']),
  serverUrl: z.string().nullable(),
  lastSyncAt: IsoDateTime.nullable(),
  pending: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  lastError: z.string().nullable(),
  /** Long work (a first pull of a big clinic, a CSV export): what and how far. */
  progress: z.object({ label: z.string(), done: z.number().int().nonnegative(), total: z.number().int().nonnegative().nullable() }).nullable(),
  activity: SyncActivity,
  /** This desk's activity chain on its way to the server; `refused` is the server's 409, for a person to see. */
  activityUpload: z.object({ pending: z.number().int().nonnegative(), ackedSeq: z.number().int().nonnegative(), refused: z.string().nullable() }),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

export const OutboxEntry = z.object({
  mutationId: Id,
  seq: z.number().int().positive(),
  name: z.string(),
  subject: z.string().nullable(),
  payload: z.unknown(),
  clientTime: IsoDateTime,
  state: z.enum(['pending', 'rejected']),
  code: z.string().nullable(),
  reason: z.string().nullable(),
  field: z.string().nullable(),
});
export type OutboxEntry = z.infer<typeof OutboxEntry>;

/** The keychain entries a person may enter in the desk (device and BankID secrets are set elsewhere). */
export const SecretKey = z.enum(['paynova.merchantId', 'paynova.apiPassword', 'paynova.secretKey', 'twilio.accountSid', 'twilio.authToken', 'geoplugin.apiKey']);
export type SecretKey = z.infer<typeof SecretKey>;

/** A secret as the desk may see it: whether it is set, and at most its last four characters. */
export const SecretView = z.object({ key: SecretKey, set: z.boolean(), masked: z.string().max(16).nullable(), updatedAt: IsoDateTime.nullable() });
export type SecretView = z.infer<typeof SecretView>;

/** Overrides of the SMS templates, per template and language (the settings store validates placeholders). */
export const SmsTemplates = z.partialRecord(SmsTemplateKey, z.partialRecord(Language, z.string().max(480)));
export type SmsTemplates = z.infer<typeof SmsTemplates>;

export const SettingsView = z.object({
  clinic: Clinic.nullable(),
  /** Clinic details are maintained centrally (the console, issue 6); the desk shows them. */
  clinicEditable: z.boolean(),
  smsTemplates: SmsTemplates,
  syncServerUrl: z.string().nullable(),
  deviceId: z.string().nullable(),
  secrets: z.array(SecretView),
  providersMode: z.enum(['sandbox', 'live']),
});
export type SettingsView = z.infer<typeof SettingsView>;

export const ActivityView = ActivityRecord.pick({ id: true, at: true, action: true, subject: true, outcome: true, country: true, details: true, actorUserId: true }).extend({
  actorName: z.string().nullable(),
});
export type ActivityView = z.infer<typeof ActivityView>;

export { PriceItem };
