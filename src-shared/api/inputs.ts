import { z } from 'zod';
import { ActivityAction } from '../schemas/activity';
import { OrderFilter, OrderSortColumn, PageCursor, SearchText, SortDirection } from '../schemas/queries';
import { OrderCancel, OrderCreate, OrderCredit, OrderLineInput, OrderUpdateDraft, PatientCreate, PatientUpdate } from '../schemas/commands';
import { Clinic, Id, IsoDate } from '../schemas/entities';
import { Language, PaymentOption } from '../schemas/enums';
import { LoginRequest } from '../sync/protocol';
import { SecretKey, SmsTemplates } from './views';

/**
 * Inputs of the desk contract. Where a domain command exists its schema is reused, minus the ids
 * the core assigns itself (the renderer is untrusted and must not pick ids or order numbers).
 */

const Empty = z.object({}).strict();
export { Empty };

export { SearchText };

/**
 * Password login. BankID is not a variant of this input: the renderer never holds the orderRef or
 * the personnummer BankID returns, so it cannot claim them. It starts a flow that main runs and
 * completes itself (`auth.bankidStart` / `auth.bankidProgress` / `auth.bankidCancel`).
 */
export const LoginInput = LoginRequest;

export const BankIdStartInput = z.object({
  /** true: "BankID on this computer" (autostart link); false: Mobile BankID scans the QR. */
  sameDevice: z.boolean().default(false),
  /** The UI language the hint texts are written in. */
  language: Language.default('sv'),
}).strict();

export const PatientsListInput = z.object({
  search: SearchText.default(''),
  limit: z.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).nullable().default(null),
});

export const PatientCreateInput = PatientCreate.omit({ id: true });
export const PatientUpdateInput = PatientUpdate;
export const AddressLookupInput = z.object({ personnummer: PatientCreate.shape.personnummer });

export const OrderSort = OrderSortColumn;
/** The store's filter plus the sort: what the list shows, what CSV exports, what is remembered per user. */
export const OrdersFilter = OrderFilter.extend({ sort: OrderSortColumn.default('createdAt'), direction: SortDirection.default('desc') });
export type OrdersFilter = z.infer<typeof OrdersFilter>;

export const OrdersListInput = OrdersFilter.extend({
  /** Keyset cursor returned by the previous page; null for the first page. */
  cursor: PageCursor,
  limit: z.number().int().min(1).max(500).default(200),
  /** The AR summary is computed over the whole filtered set; pages after the first skip it. */
  withSummary: z.boolean().default(true),
});
export type OrdersListInput = z.input<typeof OrdersListInput>;

const LineDraft = OrderLineInput.omit({ id: true });
export const OrderCreateInput = OrderCreate.omit({ id: true, orderNumber: true }).extend({
  lines: z.array(LineDraft).min(1, 'an order needs at least one line').max(100, 'at most 100 lines'),
});
export type OrderCreateInput = z.input<typeof OrderCreateInput>;
export const OrderUpdateDraftInput = OrderUpdateDraft;

export const OrderIdInput = z.object({ orderId: Id });
export const IssueInvoiceInput = z.object({ orderId: Id, paymentOption: PaymentOption });
export const OrderCancelInput = OrderCancel;
export const OrderCreditInput = OrderCredit.omit({ creditId: true });

export const RejectedFixInput = z.object({ mutationId: Id, payload: z.unknown() });
export const RejectedDiscardInput = z.object({ mutationId: Id, reason: z.string().trim().min(3, 'say why (at least 3 characters)').max(500) });
export const JobsListInput = z.object({ status: z.enum(['active', 'dead', 'all']).default('active'), limit: z.number().int().min(1).max(500).default(100) });
export const JobRetryInput = z.object({ id: z.string().min(1).max(64) });

export const ClinicUpdateInput = Clinic.pick({ name: true, organisationNumber: true, vatNumber: true, address: true, bankgiro: true, phone: true, email: true });
export const SecretSetInput = z.object({ key: SecretKey, value: z.string().trim().min(1, 'is required').max(500) });
export const SecretClearInput = z.object({ key: SecretKey });
export const SmsTemplatesInput = SmsTemplates;

export const ActivityListInput = z.object({
  action: z.string().max(64).nullable().default(null),
  actorUserId: Id.nullable().default(null),
  outcome: z.enum(['ok', 'failed', 'refused']).nullable().default(null),
  from: IsoDate.nullable().default(null),
  to: IsoDate.nullable().default(null),
  search: SearchText.default(''),
  limit: z.number().int().min(1).max(500).default(200),
  cursor: z.string().max(200).nullable().default(null),
});
export const ActivityActionFilter = ActivityAction;

/** Per-user UI memory (the orders list's filters): small JSON, kept by the core per user. */
export const PrefKey = z.enum(['ordersFilter', 'language']);
export const PrefGetInput = z.object({ key: PrefKey });
export const PrefSetInput = z.object({ key: PrefKey, value: z.json().refine((v) => JSON.stringify(v).length <= 4000, 'is too large') });
