import { z } from 'zod';
import { InstallmentMonths, Language, OrderStatus, PaymentOption, Role, SmsStatus, StatusReason, VatCode } from './enums';

/** Integer öre; never a float (domain.md "Money"). */
export const Ore = z.number().int().safe();
export const NonNegativeOre = Ore.nonnegative();
export const Id = z.string().uuid();
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
export const IsoDateTime = z.string().datetime({ offset: true });
/** Stored form of a personnummer/samordningsnummer: the canonical 12 digits. */
export const CanonicalPersonnummer = z.string().regex(/^\d{12}$/, 'must be 12 digits');
/** E.164, as Twilio wants it. */
export const PhoneE164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an international number like +46701234567');
const Text = (max: number) => z.string().trim().max(max);
const Name = z.string().trim().min(1, 'is required').max(100);

export const PostalAddress = z.object({
  street: Text(120).min(1, 'is required'),
  postalCode: z.string().trim().regex(/^\d{3} ?\d{2}$/, 'must be a Swedish postal code like 123 45'),
  city: Text(80).min(1, 'is required'),
  countryCode: z.string().length(2).default('SE'),
});
export type PostalAddress = z.infer<typeof PostalAddress>;

export const Clinic = z.object({
  id: Id,
  name: Name,
  organisationNumber: z.string().regex(/^\d{6}-?\d{4}$/, 'must be an organisation number like 556677-8899'),
  vatNumber: z.string().regex(/^SE\d{12}$/, 'must look like SE556677889901').nullable(),
  address: PostalAddress,
  bankgiro: z.string().regex(/^\d{3,4}-?\d{4}$/),
  phone: z.string().max(32).nullable(),
  email: z.string().email().max(200).nullable(),
  active: z.boolean(),
});
export type Clinic = z.infer<typeof Clinic>;

export const User = z.object({
  id: Id,
  clinicId: Id.nullable(), // null only for system administrators
  username: z.string().trim().toLowerCase().regex(/^[a-z0-9._-]{3,40}$/, 'must be 3–40 letters, digits, . _ or -'),
  displayName: Name,
  role: Role,
  personnummer: CanonicalPersonnummer.nullable(),
  language: Language,
  active: z.boolean(),
});
export type User = z.infer<typeof User>;

export const Patient = z.object({
  id: Id,
  clinicId: Id,
  personnummer: CanonicalPersonnummer,
  firstName: Name,
  lastName: Name,
  phone: PhoneE164.nullable(),
  email: z.string().email().max(200).nullable(),
  address: PostalAddress.nullable(),
  language: Language,
  /** Consent to SMS about the patient's own invoices. */
  smsConsent: z.boolean(),
  /** Why SMS stopped (e.g. Twilio 21610: the patient replied STOP). Shown to the desk. */
  smsBlockedReason: z.string().max(200).nullable(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type Patient = z.infer<typeof Patient>;

export const PriceItem = z.object({
  id: Id,
  clinicId: Id,
  code: z.string().trim().min(1).max(20),
  name: Name,
  /** Consumer price including VAT. */
  unitPrice: NonNegativeOre,
  vatCode: VatCode,
  active: z.boolean(),
});
export type PriceItem = z.infer<typeof PriceItem>;

export const OrderLine = z.object({
  id: Id,
  priceItemId: Id.nullable(),
  code: z.string().max(20),
  description: z.string().trim().min(1).max(200),
  quantity: z.number().int().min(1, 'must be at least 1').max(999),
  unitPrice: NonNegativeOre,
  /** Discount in basis points: 1000 = 10 %. */
  discountBp: z.number().int().min(0).max(10_000),
  vatCode: VatCode,
  clinician: z.string().trim().max(100).nullable(),
  /** Derived (quantity × price − discount), stored so lists and sums need no recomputation. */
  lineTotal: NonNegativeOre,
  vatAmount: NonNegativeOre,
});
export type OrderLine = z.infer<typeof OrderLine>;

export const Order = z.object({
  id: Id,
  clinicId: Id,
  /** Human reference and Paynova idempotency key: unique, 4–50 chars. */
  orderNumber: z.string().min(4).max(50),
  patientId: Id,
  createdByUserId: Id,
  clinician: z.string().trim().max(100).nullable(),
  note: z.string().max(1000).nullable(),
  status: OrderStatus,
  statusReason: StatusReason,
  paymentOption: PaymentOption.nullable(),
  total: NonNegativeOre,
  vatTotal: NonNegativeOre,
  /** Sum of credits so far (partial credits keep the status). */
  creditedTotal: NonNegativeOre,
  paidTotal: NonNegativeOre,
  /**
   * When money or credit was first committed (the order entered paid or installments), set by
   * moveOrder in src-shared/domain/order-state and never cleared. Absent while not activated.
   */
  activatedAt: IsoDateTime.optional(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  lines: z.array(OrderLine),
});
export type Order = z.infer<typeof Order>;

export const Invoice = z.object({
  id: Id,
  orderId: Id,
  clinicId: Id,
  seriesId: z.string().min(1).max(64),
  invoiceNumber: z.string().min(3).max(30),
  ocr: z.string().regex(/^\d{2,25}$/),
  issueDate: IsoDate,
  dueDate: IsoDate,
  total: NonNegativeOre,
  vatTotal: NonNegativeOre,
  paymentOption: PaymentOption,
  providerOrderId: z.string().max(64).nullable(),
  providerTransactionId: z.string().max(64).nullable(),
});
export type Invoice = z.infer<typeof Invoice>;

/** Money movements are append-only events (ARCHITECTURE.md invariant 5). */
export const MoneyEventKind = z.enum(['payment', 'installment_payment', 'credit', 'cancellation', 'reminder_fee']);
export const MoneyEvent = z.object({
  id: Id,
  orderId: Id,
  clinicId: Id,
  kind: MoneyEventKind,
  amount: NonNegativeOre,
  reason: StatusReason,
  note: z.string().max(500).nullable(),
  source: z.enum(['desk', 'provider', 'console']),
  at: IsoDateTime,
});
export type MoneyEvent = z.infer<typeof MoneyEvent>;

export const InstallmentPlanRecord = z.object({
  orderId: Id,
  months: InstallmentMonths,
  annualInterestBp: z.number().int().min(0),
  setupFee: NonNegativeOre,
  monthlyFee: NonNegativeOre,
  monthlyAmount: NonNegativeOre,
  totalPayable: NonNegativeOre,
  effectiveAnnualRate: z.number().min(0),
  firstDueDate: IsoDate,
});
export type InstallmentPlanRecord = z.infer<typeof InstallmentPlanRecord>;

export const SmsMessage = z.object({
  id: Id,
  clinicId: Id,
  patientId: Id,
  orderId: Id.nullable(),
  template: z.enum(['invoice_issued', 'payment_received', 'plan_started', 'reminder', 'overdue', 'cancelled', 'credited']),
  to: PhoneE164,
  providerSid: z.string().max(64).nullable(),
  status: SmsStatus,
  errorCode: z.number().int().nullable(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type SmsMessage = z.infer<typeof SmsMessage>;
