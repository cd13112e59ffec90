import { z } from 'zod';
import { dateSchema } from '../domain/dates';
import { Id, IsoDate, NonNegativeOre, Ore, Order, Patient } from './entities';
import { OrderStatus } from './enums';

/**
 * Inputs and outputs of the desk's list queries (src-main/db/queries). Every bound is explicit so
 * a hostile or broken caller cannot turn a list into an unbounded query.
 */

/** Free text: trimmed, bounded, NFC so a decomposed "ö" typed on some keyboards still matches. */
export const SearchText = z
  .string()
  .max(200, 'is too long (at most 200 characters)')
  .transform((s) => s.normalize('NFC').trim());

/** A real calendar day (2025-02-30 is refused, not silently compared as text). */
const CalendarDay = IsoDate.pipe(dateSchema);

/** Inclusive calendar-date range; either end may be open. */
export const DateRange = z
  .object({ from: CalendarDay.nullable().default(null), to: CalendarDay.nullable().default(null) })
  .strict()
  .refine((r) => r.from === null || r.to === null || r.from <= r.to, { message: 'from must not be after to', path: ['from'] });
export type DateRange = z.infer<typeof DateRange>;

export const AmountRange = z
  .object({ min: NonNegativeOre.nullable().default(null), max: NonNegativeOre.nullable().default(null) })
  .strict()
  .refine((r) => r.min === null || r.max === null || r.min <= r.max, { message: 'min must not exceed max', path: ['min'] });
export type AmountRange = z.infer<typeof AmountRange>;

/** Sortable columns of the orders list (names as the desk contract uses them). */
export const OrderSortColumn = z.enum(['createdAt', 'orderNumber', 'patientName', 'total', 'status', 'dueDate', 'paidDate']);
export type OrderSortColumn = z.infer<typeof OrderSortColumn>;
export const SortDirection = z.enum(['asc', 'desc']);
export type SortDirection = z.infer<typeof SortDirection>;

/** Opaque keyset cursor as handed out by the previous page. */
export const PageCursor = z.string().max(500, 'is not a cursor this desk handed out').nullable().default(null);

export const OrderFilter = z
  .object({
    search: SearchText.default(''),
    statuses: z.array(OrderStatus).max(OrderStatus.options.length).default([]),
    created: DateRange.nullable().default(null),
    due: DateRange.nullable().default(null),
    paid: DateRange.nullable().default(null),
    amount: AmountRange.nullable().default(null),
    /** The staff member who entered the order. */
    staffUserId: Id.nullable().default(null),
    clinician: z.string().trim().min(1).max(100).nullable().default(null),
    paymentKind: z.enum(['invoice14', 'installments']).nullable().default(null),
    patientId: Id.nullable().default(null),
    /** Invoiced or overdue with the due date before today. */
    overdueOnly: z.boolean().default(false),
  })
  .strict();
export type OrderFilter = z.infer<typeof OrderFilter>;
export type OrderFilterInput = z.input<typeof OrderFilter>;

export const OrderListQuery = OrderFilter.extend({
  sort: OrderSortColumn.default('createdAt'),
  direction: SortDirection.default('desc'),
  limit: z.number().int().min(1, 'must be at least 1').max(500, 'must be at most 500').default(50),
  cursor: PageCursor,
}).strict();
export type OrderListQuery = z.infer<typeof OrderListQuery>;
export type OrderListQueryInput = z.input<typeof OrderListQuery>;

/** One row of the orders list: everything the list shows, read from the order row alone. */
export const OrderListRow = Order.pick({
  id: true, orderNumber: true, patientId: true, clinician: true, createdByUserId: true, status: true, statusReason: true,
  paymentOption: true, total: true, vatTotal: true, creditedTotal: true, paidTotal: true, createdAt: true, updatedAt: true,
}).extend({
  patientName: z.string(),
  personnummer: z.string(),
  phone: z.string().nullable(),
  invoiceNumber: z.string().nullable(),
  issueDate: IsoDate.nullable(),
  dueDate: IsoDate.nullable(),
  paidDate: IsoDate.nullable(),
  /** total − paid − credited. */
  balance: Ore,
});
export type OrderListRow = z.infer<typeof OrderListRow>;

export const OrderPage = z.object({ rows: z.array(OrderListRow), nextCursor: z.string().nullable() });
export type OrderPage = z.infer<typeof OrderPage>;

/** The accounts-receivable header: count and sums per status over the filtered set. */
export const StatusTotals = z.object({
  status: OrderStatus,
  count: z.number().int().nonnegative(),
  total: Ore,
  paid: Ore,
  credited: Ore,
  /** total − paid − credited. */
  outstanding: Ore,
});
export type StatusTotals = z.infer<typeof StatusTotals>;
export const OrderSummary = z.object({
  byStatus: z.array(StatusTotals),
  count: z.number().int().nonnegative(),
  total: Ore,
  outstanding: Ore,
});
export type OrderSummary = z.infer<typeof OrderSummary>;

/** Statuses whose unpaid, uncredited amount the clinic is still owed (a draft is not claimed yet; a cancelled, rejected or credited order is not owed). */
const RECEIVABLE = new Set<string>(['invoiced', 'overdue', 'installments', 'paid', 'completed']);

/** The AR header from per-status counts and sums (the desk's store and the console both aggregate in SQL). */
export function summarizeByStatus(rows: readonly { status: OrderStatus; count: number; total: number; paid: number; credited: number }[]): OrderSummary {
  const byStatus: StatusTotals[] = rows
    .map((r) => ({ ...r, outstanding: RECEIVABLE.has(r.status) ? r.total - r.paid - r.credited : 0 }))
    .sort((a, b) => a.status.localeCompare(b.status));
  return {
    byStatus,
    count: byStatus.reduce((a, s) => a + s.count, 0),
    total: byStatus.reduce((a, s) => a + s.total, 0),
    outstanding: byStatus.reduce((a, s) => a + s.outstanding, 0),
  };
}

export const PatientSortColumn = z.enum(['name', 'createdAt', 'personnummer']);
export const PatientListQuery = z
  .object({
    search: SearchText.default(''),
    sort: PatientSortColumn.default('name'),
    direction: SortDirection.default('asc'),
    limit: z.number().int().min(1, 'must be at least 1').max(500, 'must be at most 500').default(50),
    cursor: PageCursor,
  })
  .strict();
export type PatientListQuery = z.infer<typeof PatientListQuery>;
export type PatientListQueryInput = z.input<typeof PatientListQuery>;

export const PatientListRow = Patient.pick({
  id: true, personnummer: true, firstName: true, lastName: true, phone: true, email: true, language: true, smsConsent: true,
  smsBlockedReason: true, createdAt: true,
});
export type PatientListRow = z.infer<typeof PatientListRow>;
export const PatientPage = z.object({ rows: z.array(PatientListRow), nextCursor: z.string().nullable() });
export type PatientPage = z.infer<typeof PatientPage>;
