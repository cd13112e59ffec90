import { z } from 'zod';
import { personnummerSchema } from '../domain/personnummer';
import { CancelReason as DomainCancelReason, CreditReason as DomainCreditReason } from '../domain/order-state';
import { Language, PaymentOption, VatCode } from './enums';
import { Id, IsoDate, NonNegativeOre, PhoneE164, PostalAddress } from './entities';

/**
 * Inputs of the named domain commands. The desk validates them before writing locally; the sync
 * server re-runs the same schemas and the domain rules authoritatively (invariant 2). Derived
 * values (line totals, VAT) are NOT inputs: both sides compute them from these fields.
 */

const optionalText = (max: number) => z.string().trim().max(max).nullable().default(null);

export const PatientFields = z.object({
  firstName: z.string().trim().min(1, 'is required').max(100),
  lastName: z.string().trim().min(1, 'is required').max(100),
  phone: PhoneE164.nullable().default(null),
  email: z.string().trim().email('must be an e-mail address').max(200).nullable().default(null),
  address: PostalAddress.nullable().default(null),
  language: Language.default('sv'),
  smsConsent: z.boolean().default(true),
});

export const PatientCreate = PatientFields.extend({
  id: Id,
  /** Any common written form; stored canonical (12 digits). */
  personnummer: personnummerSchema,
});
export type PatientCreate = z.infer<typeof PatientCreate>;

export const PatientUpdate = z.object({
  id: Id,
  patch: PatientFields.partial().strict().refine((p) => Object.keys(p).length > 0, 'must change at least one field'),
});
export type PatientUpdate = z.infer<typeof PatientUpdate>;

export const OrderLineInput = z.object({
  id: Id,
  priceItemId: Id.nullable().default(null),
  code: z.string().trim().max(20).default(''),
  description: z.string().trim().min(1, 'is required').max(200),
  quantity: z.number().int('must be a whole number').min(1, 'must be at least 1').max(999, 'must be at most 999'),
  unitPrice: NonNegativeOre,
  discountBp: z.number().int().min(0, 'cannot be negative').max(10_000, 'cannot exceed 100 %').default(0),
  vatCode: VatCode,
  clinician: optionalText(100),
});
export type OrderLineInput = z.infer<typeof OrderLineInput>;

export const OrderCreate = z.object({
  id: Id,
  orderNumber: z.string().regex(/^[A-Z0-9][A-Z0-9-]{3,49}$/, 'must be 4–50 characters A–Z, 0–9 or -'),
  patientId: Id,
  clinician: optionalText(100),
  note: optionalText(1000),
  lines: z.array(OrderLineInput).min(1, 'an order needs at least one line').max(100, 'at most 100 lines'),
});
export type OrderCreate = z.infer<typeof OrderCreate>;

/** Field-level edits of a draft; applied in server order (docs/sync.md). */
export const OrderUpdateDraft = z.object({
  id: Id,
  patch: z
    .object({
      clinician: z.string().trim().max(100).nullable(),
      note: z.string().max(1000).nullable(),
      lines: z.array(OrderLineInput).min(1).max(100),
    })
    .partial()
    .strict()
    .refine((p) => Object.keys(p).length > 0, 'must change at least one field'),
});
export type OrderUpdateDraft = z.infer<typeof OrderUpdateDraft>;

/** Issued on the desk, offline if need be: the number comes from the device's own series. */
export const InvoiceIssue = z.object({
  orderId: Id,
  invoiceId: Id,
  seriesId: z.string().min(1).max(64),
  invoiceNumber: z.string().min(3).max(30),
  ocr: z.string().regex(/^\d{2,25}$/, 'must be 2–25 digits'),
  issueDate: IsoDate,
  dueDate: IsoDate,
  paymentOption: PaymentOption,
});
export type InvoiceIssue = z.infer<typeof InvoiceIssue>;

/** What a person at the desk may give as the reason; the state machine also knows provider reasons. */
export const CancelReason = DomainCancelReason.exclude(['cancelled_by_customer']);
export const OrderCancel = z.object({
  orderId: Id,
  reason: CancelReason,
  note: z.string().trim().max(500).nullable().default(null),
});
export type OrderCancel = z.infer<typeof OrderCancel>;

export const CreditReason = DomainCreditReason;
export const OrderCredit = z.object({
  orderId: Id,
  creditId: Id,
  /** Öre to credit; the full remaining amount makes the order `credited`. */
  amount: NonNegativeOre.refine((a) => a > 0, 'must be more than 0'),
  reason: CreditReason,
  note: z.string().trim().max(500).nullable().default(null),
});
export type OrderCredit = z.infer<typeof OrderCredit>;

/**
 * A person at a desk handled a central request (a `notice`, issue 6): cancelled the order (with
 * order.cancel), or decided not to and said why. The server records it on the notice, so every
 * desk of the clinic and the console see that it was handled.
 */
export const NoticeHandle = z
  .object({
    noticeId: Id,
    outcome: z.enum(['cancelled', 'declined']),
    note: z.string().trim().max(500).default(''),
  })
  .refine((v) => v.outcome !== 'declined' || v.note.length >= 3, { message: 'say why the order is not cancelled (at least 3 characters)', path: ['note'] });
export type NoticeHandle = z.infer<typeof NoticeHandle>;

/** The mutation names and their payload schemas: the single registry both sides dispatch on. */
export const commandSchemas = {
  'patient.create': PatientCreate,
  'patient.update': PatientUpdate,
  'order.create': OrderCreate,
  'order.update_draft': OrderUpdateDraft,
  'invoice.issue': InvoiceIssue,
  'order.cancel': OrderCancel,
  'order.credit': OrderCredit,
  'notice.handle': NoticeHandle,
} as const;
export type CommandName = keyof typeof commandSchemas;
export const CommandName = z.enum(Object.keys(commandSchemas) as [CommandName, ...CommandName[]]);
export type CommandPayload<N extends CommandName> = z.infer<(typeof commandSchemas)[N]>;
