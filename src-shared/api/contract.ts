import { z } from 'zod';
import { AccountCreate, AccountReset, AccountUpdate, AccountView, SecretChange } from '../schemas/accounts';
import { Id, IsoDate, PostalAddress } from '../schemas/entities';
import {
  ActivityListInput, AddressLookupInput, BankIdStartInput, ClinicUpdateInput, Empty, IssueInvoiceInput, JobRetryInput, JobsListInput, LoginInput, OrderCancelInput,
  OrderCreateInput, OrderCreditInput, OrderIdInput, OrdersFilter, OrdersListInput, OrderUpdateDraftInput, PatientCreateInput, PatientsListInput,
  PatientUpdateInput, PrefGetInput, PrefSetInput, RejectedDiscardInput, RejectedFixInput, SecretClearInput, SecretSetInput, SmsTemplatesInput,
} from './inputs';
import { NoticeHandleInput, NoticesListInput, NoticeView } from './notices';
import { Permission } from './permissions';
import {
  ActivityView, ArSummary, BankIdProgress, JobView, OrderDetail, OrderRow, OutboxEntry, PatientDetail, PatientSummary, PaymentOptionView, PriceItem, SecretView,
  SessionView, SettingsView, SyncStatus,
} from './views';

/**
 * The desk contract: every call the UI may make, with its input schema, output schema and the
 * permission it needs. Electron IPC (one preload method per call) and the browser host's
 * WebSocket carry exactly this record; the core validates input and output of every call with
 * these schemas, so neither transport nor the renderer is trusted.
 */
export interface CallSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly input: I;
  readonly output: O;
  readonly permission: Permission;
}
const call = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O, permission: Permission): CallSpec<I, O> => ({ input, output, permission });

const Done = z.object({ ok: z.literal(true) });
const Page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
const FileOut = z.object({ filename: z.string().max(200), mimeType: z.string().max(100), base64: z.string() });

export const contract = {
  // --- session ---
  'auth.login': call(LoginInput, SessionView, 'public'),
  /**
   * BankID login, run by main (one flow per desk; a new start cancels the old one). The renderer
   * polls progress for the animated QR (it changes every second) and, once BankID completes and
   * the server accepts the person, the session. Null progress: no flow of this window.
   */
  'auth.bankidStart': call(BankIdStartInput, BankIdProgress, 'public'),
  'auth.bankidProgress': call(Empty, BankIdProgress.nullable(), 'public'),
  'auth.bankidCancel': call(Empty, Done, 'public'),
  'auth.logout': call(Empty, Done, 'public'),
  'auth.session': call(Empty, SessionView.nullable(), 'public'),
  /** A forced first change (or after a reset): current secrets plus the new ones, then logged in. */
  'auth.changeSecret': call(SecretChange, SessionView, 'public'),

  // --- patients ---
  'patients.list': call(PatientsListInput, Page(PatientSummary), 'patients.read'),
  'patients.get': call(z.object({ id: Id }), PatientDetail, 'patients.read'),
  'patients.create': call(PatientCreateInput, z.object({ id: Id }), 'patients.write'),
  'patients.update': call(PatientUpdateInput, Done, 'patients.write'),
  'patients.lookupAddress': call(
    AddressLookupInput,
    z.object({ firstName: z.string(), lastName: z.string(), address: PostalAddress.nullable() }).nullable(),
    'patients.write',
  ),

  // --- price list ---
  'priceList.list': call(Empty, z.array(PriceItem), 'orders.read'),

  // --- orders ---
  'orders.list': call(OrdersListInput, z.object({ rows: z.array(OrderRow), nextCursor: z.string().nullable(), summary: ArSummary.nullable() }), 'orders.read'),
  /** The AR header over the whole filtered set; separate so the rows can paint before the sums. */
  'orders.summary': call(OrdersFilter, ArSummary, 'orders.read'),
  'orders.get': call(z.object({ id: Id }), OrderDetail, 'orders.read'),
  'orders.create': call(OrderCreateInput, z.object({ id: Id, orderNumber: z.string() }), 'orders.write'),
  'orders.updateDraft': call(OrderUpdateDraftInput, Done, 'orders.write'),
  'orders.paymentOptions': call(OrderIdInput, z.object({ principal: z.number().int(), options: z.array(PaymentOptionView) }), 'orders.read'),
  'orders.issueInvoice': call(IssueInvoiceInput, z.object({ invoiceId: Id, invoiceNumber: z.string(), ocr: z.string(), dueDate: IsoDate }), 'invoices.issue'),
  'orders.cancel': call(OrderCancelInput, Done, 'invoices.cancel_credit'),
  'orders.credit': call(OrderCreditInput, Done, 'invoices.cancel_credit'),
  'orders.exportCsv': call(OrdersFilter, FileOut.extend({ rows: z.number().int().nonnegative() }), 'orders.read'),
  'orders.invoicePdf': call(OrderIdInput, FileOut, 'orders.read'),

  // --- sync and jobs ---
  'sync.status': call(Empty, SyncStatus, 'session'),
  'sync.outbox': call(Empty, z.array(OutboxEntry), 'sync.manage'),
  'sync.now': call(Empty, Done, 'sync.manage'),
  'sync.fixRejected': call(RejectedFixInput, Done, 'sync.manage'),
  'sync.discardRejected': call(RejectedDiscardInput, Done, 'sync.manage'),
  'jobs.list': call(JobsListInput, z.array(JobView), 'session'),
  'jobs.retry': call(JobRetryInput, Done, 'jobs.manage'),

  // --- settings and secrets (write-only: described back masked) ---
  'settings.get': call(Empty, SettingsView, 'settings.read'),
  'settings.updateClinic': call(ClinicUpdateInput, Done, 'settings.write'),
  'settings.updateSmsTemplates': call(SmsTemplatesInput, Done, 'settings.write'),
  'secrets.set': call(SecretSetInput, SecretView, 'secrets.write'),
  'secrets.clear': call(SecretClearInput, SecretView, 'secrets.write'),

  // --- the clinic's staff users (clinic admin; server-authoritative, issue 6) ---
  'users.list': call(z.object({ search: z.string().trim().max(100).default('') }), z.array(AccountView), 'users.manage'),
  'users.create': call(AccountCreate.omit({ clinicId: true }), AccountView, 'users.manage'),
  'users.update': call(z.object({ userId: Id, patch: AccountUpdate }), AccountView, 'users.manage'),
  /** Generates what is reset and shows it once; the user must change it at the next login. */
  'users.reset': call(z.object({ userId: Id, reset: AccountReset }), z.object({ password: z.string().nullable(), pin: z.string().nullable() }), 'users.manage'),
  'users.remove': call(z.object({ userId: Id }), Done, 'users.manage'),

  // --- activity log, per-user preferences ---
  'activity.list': call(ActivityListInput, Page(ActivityView), 'activity.read'),
  'prefs.get': call(PrefGetInput, z.json().nullable(), 'session'),
  'prefs.set': call(PrefSetInput, Done, 'session'),

  // --- notices from the central office (issue 6: cancellation requests from the console) ---
  'notices.list': call(NoticesListInput, z.array(NoticeView), 'orders.read'),
  'notices.handle': call(NoticeHandleInput, Done, 'invoices.cancel_credit'),
} as const satisfies Record<string, CallSpec>;

export type Contract = typeof contract;
export type CallName = keyof Contract;
export const CALL_NAMES = Object.keys(contract) as CallName[];
export const CallName = z.enum(CALL_NAMES as [CallName, ...CallName[]]);
/** What the renderer passes (defaults may be omitted). */
export type CallInput<N extends CallName> = z.input<Contract[N]['input']>;
/** What a handler receives after validation (defaults filled in). */
export type ParsedInput<N extends CallName> = z.output<Contract[N]['input']>;
export type CallOutput<N extends CallName> = z.output<Contract[N]['output']>;

/** The renderer's view of the core: one async method per call, identical on both transports. */
export type DeskApi = { [N in CallName]: (input: CallInput<N>) => Promise<CallOutput<N>> };
