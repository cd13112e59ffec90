import type { Insertable, Selectable } from 'kysely';
import {
  InstallmentPlanRecord, Invoice, MoneyEvent, Order, OrderLine, Patient, PostalAddress, PriceItem, SmsMessage,
} from '../../../src-shared/schemas/entities';
import { PaymentOption } from '../../../src-shared/schemas/enums';
import type { OrderListRow, PatientListRow } from '../../../src-shared/schemas/queries';
import type {
  InstallmentPlanTable, InvoiceTable, MoneyEventTable, OrderLineTable, OrderTable, PatientTable, PriceItemTable, SmsMessageTable,
} from '../tables/core';
import { patientDisplayName, patientSortKey } from './text';

/**
 * Row ↔ entity mappers for the core store. The services write through them and the sync pull
 * side can apply remote entities through them, so a denormalized column (patient name on the
 * order, sort keys) is derived in exactly one place. Rows read back are trusted (we wrote them);
 * JSON columns are parsed with their schema anyway, because a corrupt cell must not become a
 * wrongly-typed value in the UI.
 */

const bool = (n: number): boolean => n === 1;
const int = (b: boolean): number => (b ? 1 : 0);

// ---------- patients ----------

export function patientToRow(p: Patient): Insertable<PatientTable> {
  return {
    id: p.id,
    clinic_id: p.clinicId,
    personnummer: p.personnummer,
    first_name: p.firstName,
    last_name: p.lastName,
    sort_name: patientSortKey(p.firstName, p.lastName),
    phone: p.phone,
    email: p.email,
    address: p.address === null ? null : JSON.stringify(p.address),
    language: p.language,
    sms_consent: int(p.smsConsent),
    sms_blocked_reason: p.smsBlockedReason,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

export function rowToPatient(r: Selectable<PatientTable>): Patient {
  return {
    id: r.id,
    clinicId: r.clinic_id,
    personnummer: r.personnummer,
    firstName: r.first_name,
    lastName: r.last_name,
    phone: r.phone,
    email: r.email,
    address: r.address === null ? null : PostalAddress.parse(JSON.parse(r.address)),
    language: r.language as Patient['language'],
    smsConsent: bool(r.sms_consent),
    smsBlockedReason: r.sms_blocked_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export type PatientListDbRow = Pick<
  Selectable<PatientTable>,
  'id' | 'personnummer' | 'first_name' | 'last_name' | 'phone' | 'email' | 'language' | 'sms_consent' | 'sms_blocked_reason' | 'created_at'
>;
export function rowToPatientListRow(r: PatientListDbRow): PatientListRow {
  return {
    id: r.id,
    personnummer: r.personnummer,
    firstName: r.first_name,
    lastName: r.last_name,
    phone: r.phone,
    email: r.email,
    language: r.language as PatientListRow['language'],
    smsConsent: bool(r.sms_consent),
    smsBlockedReason: r.sms_blocked_reason,
    createdAt: r.created_at,
  };
}

// ---------- price list ----------

export function priceItemToRow(p: PriceItem, updatedAt: string): Insertable<PriceItemTable> {
  return { id: p.id, clinic_id: p.clinicId, code: p.code, name: p.name, unit_price: p.unitPrice, vat_code: p.vatCode, active: int(p.active), updated_at: updatedAt };
}

export function rowToPriceItem(r: Selectable<PriceItemTable>): PriceItem {
  return { id: r.id, clinicId: r.clinic_id, code: r.code, name: r.name, unitPrice: r.unit_price, vatCode: r.vat_code as PriceItem['vatCode'], active: bool(r.active) };
}

// ---------- orders ----------

/** What an order row denormalizes from its patient and its invoice. */
export interface OrderDenormalized {
  patient: Pick<Patient, 'firstName' | 'lastName' | 'personnummer' | 'phone'>;
  invoice: Pick<Invoice, 'id' | 'invoiceNumber' | 'issueDate' | 'dueDate'> | null;
  /** Calendar day the order became fully paid, if it has. */
  paidDate: string | null;
}

export function orderToRow(o: Order, d: OrderDenormalized): Insertable<OrderTable> {
  return {
    id: o.id,
    clinic_id: o.clinicId,
    order_number: o.orderNumber,
    patient_id: o.patientId,
    ...patientColumns(d.patient),
    created_by_user_id: o.createdByUserId,
    clinician: o.clinician,
    note: o.note,
    status: o.status,
    status_reason: o.statusReason,
    ...paymentColumns(o.paymentOption),
    total: o.total,
    vat_total: o.vatTotal,
    credited_total: o.creditedTotal,
    paid_total: o.paidTotal,
    invoice_id: d.invoice?.id ?? null,
    invoice_number: d.invoice?.invoiceNumber ?? null,
    issue_date: d.invoice?.issueDate ?? null,
    due_date: d.invoice?.dueDate ?? null,
    paid_date: d.paidDate,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
  };
}

/** The order columns copied from the patient; rewritten on every order when the patient changes. */
export function patientColumns(p: Pick<Patient, 'firstName' | 'lastName' | 'personnummer' | 'phone'>) {
  return {
    patient_name: patientDisplayName(p.firstName, p.lastName),
    patient_sort: patientSortKey(p.firstName, p.lastName),
    patient_personnummer: p.personnummer,
    patient_phone: p.phone,
  };
}

export function paymentColumns(option: PaymentOption | null): { payment_kind: string | null; payment_months: number | null } {
  if (option === null) return { payment_kind: null, payment_months: null };
  return option.kind === 'installments' ? { payment_kind: 'installments', payment_months: option.months } : { payment_kind: 'invoice14', payment_months: null };
}

function rowPaymentOption(kind: string | null, months: number | null): PaymentOption | null {
  if (kind === null) return null;
  return PaymentOption.parse(kind === 'installments' ? { kind, months } : { kind });
}

export function rowToOrder(r: Selectable<OrderTable>, lines: readonly Selectable<OrderLineTable>[]): Order {
  return {
    id: r.id,
    clinicId: r.clinic_id,
    orderNumber: r.order_number,
    patientId: r.patient_id,
    createdByUserId: r.created_by_user_id,
    clinician: r.clinician,
    note: r.note,
    status: r.status as Order['status'],
    statusReason: r.status_reason as Order['statusReason'],
    paymentOption: rowPaymentOption(r.payment_kind, r.payment_months),
    total: r.total,
    vatTotal: r.vat_total,
    creditedTotal: r.credited_total,
    paidTotal: r.paid_total,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lines: [...lines].sort((a, b) => a.position - b.position).map(rowToOrderLine),
  };
}

/** The columns the orders list reads: no joins, no note, no lines. */
export const ORDER_LIST_COLUMNS = [
  'local_id', 'id', 'order_number', 'patient_id', 'patient_name', 'patient_personnummer', 'patient_phone', 'clinician', 'created_by_user_id',
  'status', 'status_reason', 'payment_kind', 'payment_months', 'total', 'vat_total', 'credited_total', 'paid_total', 'invoice_number',
  'issue_date', 'due_date', 'paid_date', 'created_at', 'updated_at',
] as const;
export type OrderListDbRow = Pick<Selectable<OrderTable>, (typeof ORDER_LIST_COLUMNS)[number]>;

export function rowToOrderListRow(r: OrderListDbRow): OrderListRow {
  return {
    id: r.id,
    orderNumber: r.order_number,
    patientId: r.patient_id,
    patientName: r.patient_name,
    personnummer: r.patient_personnummer,
    phone: r.patient_phone,
    clinician: r.clinician,
    createdByUserId: r.created_by_user_id,
    status: r.status as OrderListRow['status'],
    statusReason: r.status_reason as OrderListRow['statusReason'],
    paymentOption: rowPaymentOption(r.payment_kind, r.payment_months),
    total: r.total,
    vatTotal: r.vat_total,
    creditedTotal: r.credited_total,
    paidTotal: r.paid_total,
    balance: r.total - r.paid_total - r.credited_total,
    invoiceNumber: r.invoice_number,
    issueDate: r.issue_date,
    dueDate: r.due_date,
    paidDate: r.paid_date,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function orderLineToRow(orderId: string, position: number, l: OrderLine): Insertable<OrderLineTable> {
  return {
    id: l.id,
    order_id: orderId,
    position,
    price_item_id: l.priceItemId,
    code: l.code,
    description: l.description,
    quantity: l.quantity,
    unit_price: l.unitPrice,
    discount_bp: l.discountBp,
    vat_code: l.vatCode,
    clinician: l.clinician,
    line_total: l.lineTotal,
    vat_amount: l.vatAmount,
  };
}

export function rowToOrderLine(r: Selectable<OrderLineTable>): OrderLine {
  return {
    id: r.id,
    priceItemId: r.price_item_id,
    code: r.code,
    description: r.description,
    quantity: r.quantity,
    unitPrice: r.unit_price,
    discountBp: r.discount_bp,
    vatCode: r.vat_code as OrderLine['vatCode'],
    clinician: r.clinician,
    lineTotal: r.line_total,
    vatAmount: r.vat_amount,
  };
}

// ---------- invoices, money, plans, SMS ----------

export function invoiceToRow(i: Invoice, sequence: number, createdAt: string): Insertable<InvoiceTable> {
  return {
    id: i.id,
    order_id: i.orderId,
    clinic_id: i.clinicId,
    series_id: i.seriesId,
    sequence,
    invoice_number: i.invoiceNumber,
    ocr: i.ocr,
    issue_date: i.issueDate,
    due_date: i.dueDate,
    total: i.total,
    vat_total: i.vatTotal,
    payment_option: JSON.stringify(i.paymentOption),
    provider_order_id: i.providerOrderId,
    provider_transaction_id: i.providerTransactionId,
    created_at: createdAt,
  };
}

export function rowToInvoice(r: Selectable<InvoiceTable>): Invoice {
  return {
    id: r.id,
    orderId: r.order_id,
    clinicId: r.clinic_id,
    seriesId: r.series_id,
    invoiceNumber: r.invoice_number,
    ocr: r.ocr,
    issueDate: r.issue_date,
    dueDate: r.due_date,
    total: r.total,
    vatTotal: r.vat_total,
    paymentOption: PaymentOption.parse(JSON.parse(r.payment_option)),
    providerOrderId: r.provider_order_id,
    providerTransactionId: r.provider_transaction_id,
  };
}

export function moneyEventToRow(e: MoneyEvent): Insertable<MoneyEventTable> {
  return { id: e.id, order_id: e.orderId, clinic_id: e.clinicId, kind: e.kind, amount: e.amount, reason: e.reason, note: e.note, source: e.source, at: e.at };
}

export function rowToMoneyEvent(r: Selectable<MoneyEventTable>): MoneyEvent {
  return {
    id: r.id,
    orderId: r.order_id,
    clinicId: r.clinic_id,
    kind: r.kind as MoneyEvent['kind'],
    amount: r.amount,
    reason: r.reason as MoneyEvent['reason'],
    note: r.note,
    source: r.source as MoneyEvent['source'],
    at: r.at,
  };
}

export function installmentPlanToRow(p: InstallmentPlanRecord, schedule: unknown): Insertable<InstallmentPlanTable> {
  return {
    order_id: p.orderId,
    months: p.months,
    annual_interest_bp: p.annualInterestBp,
    setup_fee: p.setupFee,
    monthly_fee: p.monthlyFee,
    monthly_amount: p.monthlyAmount,
    total_payable: p.totalPayable,
    effective_annual_rate: p.effectiveAnnualRate,
    first_due_date: p.firstDueDate,
    schedule: JSON.stringify(schedule),
  };
}

export function rowToInstallmentPlan(r: Selectable<InstallmentPlanTable>): InstallmentPlanRecord {
  return {
    orderId: r.order_id,
    months: r.months as InstallmentPlanRecord['months'],
    annualInterestBp: r.annual_interest_bp,
    setupFee: r.setup_fee,
    monthlyFee: r.monthly_fee,
    monthlyAmount: r.monthly_amount,
    totalPayable: r.total_payable,
    effectiveAnnualRate: r.effective_annual_rate,
    firstDueDate: r.first_due_date,
  };
}

export function smsMessageToRow(s: SmsMessage): Insertable<SmsMessageTable> {
  return {
    id: s.id,
    clinic_id: s.clinicId,
    patient_id: s.patientId,
    order_id: s.orderId,
    template: s.template,
    to: s.to,
    provider_sid: s.providerSid,
    status: s.status,
    error_code: s.errorCode,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

export function rowToSmsMessage(r: Selectable<SmsMessageTable>): SmsMessage {
  return {
    id: r.id,
    clinicId: r.clinic_id,
    patientId: r.patient_id,
    orderId: r.order_id,
    template: r.template as SmsMessage['template'],
    to: r.to,
    providerSid: r.provider_sid,
    status: r.status as SmsMessage['status'],
    errorCode: r.error_code,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
