import type { Generated } from 'kysely';

/**
 * The core store (migration 001_core) as Kysely sees it. Row shapes only: the entities and their
 * validation live in src-shared/schemas; src-main/db/queries/mappers.ts converts between the two.
 * Money columns are integer öre; dates are 'YYYY-MM-DD'; instants are ISO-8601 strings.
 */
export interface PatientTable {
  local_id: Generated<number>;
  id: string;
  clinic_id: string;
  personnummer: string;
  first_name: string;
  last_name: string;
  /** Swedish collation key (see sortKey in queries/text.ts). */
  sort_name: string;
  phone: string | null;
  email: string | null;
  /** JSON PostalAddress or null. */
  address: string | null;
  language: string;
  sms_consent: number;
  sms_blocked_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface PriceItemTable {
  id: string;
  clinic_id: string;
  code: string;
  name: string;
  unit_price: number;
  vat_code: string;
  active: number;
  updated_at: string;
}

export interface OrderTable {
  local_id: Generated<number>;
  id: string;
  clinic_id: string;
  order_number: string;
  patient_id: string;
  /** Denormalized for lists and search: "First Last" as the patient had it. */
  patient_name: string;
  patient_sort: string;
  patient_personnummer: string;
  patient_phone: string | null;
  created_by_user_id: string;
  clinician: string | null;
  note: string | null;
  status: string;
  status_reason: string;
  payment_kind: string | null;
  payment_months: number | null;
  total: number;
  vat_total: number;
  credited_total: Generated<number>;
  paid_total: Generated<number>;
  invoice_id: string | null;
  invoice_number: string | null;
  issue_date: string | null;
  due_date: string | null;
  paid_date: string | null;
  created_at: string;
  updated_at: string;
}

export interface OrderLineTable {
  id: string;
  order_id: string;
  position: number;
  price_item_id: string | null;
  code: string;
  description: string;
  quantity: number;
  unit_price: number;
  discount_bp: number;
  vat_code: string;
  clinician: string | null;
  line_total: number;
  vat_amount: number;
}

/** Maintained by triggers on orders; never written by application code. */
export interface OrderStatusTotalsTable {
  clinic_id: string;
  status: string;
  order_count: number;
  total_sum: number;
  paid_sum: number;
  credited_sum: number;
}

export interface InvoiceSeriesTable {
  id: string;
  clinic_id: string;
  device_id: string;
  prefix: string;
  /** Numeric code of the series inside OCR references (1–99999), see ocrForInvoice. */
  ocr_code: number;
  /** The last number issued; 0 for a new series. */
  last_number: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface InvoiceTable {
  id: string;
  order_id: string;
  clinic_id: string;
  series_id: string;
  /** Position in the series (1, 2, 3 …): unique per series, gap-free. */
  sequence: number;
  invoice_number: string;
  ocr: string;
  issue_date: string;
  due_date: string;
  total: number;
  vat_total: number;
  /** JSON PaymentOption. */
  payment_option: string;
  provider_order_id: string | null;
  provider_transaction_id: string | null;
  created_at: string;
}

export interface MoneyEventTable {
  id: string;
  order_id: string;
  clinic_id: string;
  kind: string;
  amount: number;
  reason: string;
  note: string | null;
  source: string;
  at: string;
}

export interface InstallmentPlanTable {
  order_id: string;
  months: number;
  annual_interest_bp: number;
  setup_fee: number;
  monthly_fee: number;
  monthly_amount: number;
  total_payable: number;
  effective_annual_rate: number;
  first_due_date: string;
  /** JSON array of the payments (dueDate, amount, …) as the domain built them. */
  schedule: string;
}

export interface SmsMessageTable {
  id: string;
  clinic_id: string;
  patient_id: string;
  order_id: string | null;
  template: string;
  to: string;
  provider_sid: string | null;
  status: string;
  error_code: number | null;
  created_at: string;
  updated_at: string;
}

export type OutboxStatus = 'pending' | 'in_flight' | 'applied' | 'rejected' | 'discarded';

/** One named domain command awaiting (or done with) the server; seq is the per-device sequence. */
export interface OutboxTable {
  seq: Generated<number>;
  mutation_id: string;
  name: string;
  /** JSON of the validated command. */
  payload: string;
  created_at: string;
  status: Generated<OutboxStatus>;
  attempts: Generated<number>;
  last_error: string | null;
  rejection_code: string | null;
  rejection_reason: string | null;
}

/** Small key/value state of the sync loop (e.g. the pull cursor). */
export interface SyncStateTable {
  key: string;
  value: string;
}

export interface CoreTables {
  patients: PatientTable;
  price_items: PriceItemTable;
  orders: OrderTable;
  order_lines: OrderLineTable;
  order_status_totals: OrderStatusTotalsTable;
  invoice_series: InvoiceSeriesTable;
  invoices: InvoiceTable;
  money_events: MoneyEventTable;
  installment_plans: InstallmentPlanTable;
  sms_messages: SmsMessageTable;
  outbox: OutboxTable;
  sync_state: SyncStateTable;
}
