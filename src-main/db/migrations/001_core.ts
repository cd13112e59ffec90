import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The desk's core store: patients, price list, orders (+ lines), invoices and their per-device
 * series, append-only money events, installment plans, SMS, the sync outbox and pull state.
 *
 * Design notes (the why):
 * - Orders and patients have an INTEGER `local_id` rowid alias next to their UUID `id`: it is the
 *   FTS5 rowid and the keyset tie-breaker, and it sits in every index for free (a UUID would
 *   double the size of the seven sort indexes at 1M orders).
 * - Orders carry denormalized list columns (patient name/sort key/personnummer/phone, invoice
 *   number, issue/due/paid dates, payment option kind, amounts in öre) so a list page is one
 *   index walk with no joins.
 * - FTS5 indexes and per-status totals are maintained by TRIGGERS, so every writer (the local
 *   services AND the sync pull side) keeps them right inside its own transaction.
 * - Money events and issued invoices are append-only, enforced by the database like 000_activity.
 */

/** Extra digit tokens so the last four digits, the 10-digit form, the birth date and a local phone number match by prefix. */
function identTokens(pnr: string, phone: string): string {
  return `${pnr} || ' ' || substr(${pnr}, 3) || ' ' || substr(${pnr}, 1, 8) || ' ' || substr(${pnr}, 3, 6) || ' ' || substr(${pnr}, 9)`
    + ` || ' ' || ifnull(substr(${phone}, 2) || ' ' || (CASE WHEN ${phone} LIKE '+46%' THEN '0' || substr(${phone}, 4) ELSE '' END) || ' ' || substr(${phone}, -4), '')`;
}

const ORDER_FTS_VALUES = (r: 'new') =>
  `${r}.local_id, ${r}.patient_name, ${identTokens(`${r}.patient_personnummer`, `${r}.patient_phone`)}, ${r}.order_number || ' ' || ifnull(${r}.invoice_number, '')`;
/** Also used by 006, which rebuilds patients_fts from the patients table (r = 'patients'). */
export const PATIENT_FTS_VALUES = (r: 'new' | 'patients') =>
  `${r}.local_id, ${r}.first_name || ' ' || ${r}.last_name, ${identTokens(`${r}.personnummer`, `${r}.phone`)}`;

const STATUSES = `('draft','invoiced','paid','installments','completed','overdue','rejected','cancelled','credited')`;

const statements: string[] = [
  `CREATE TABLE patients (
    local_id INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    clinic_id TEXT NOT NULL,
    personnummer TEXT NOT NULL CHECK (length(personnummer) = 12),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    address TEXT,
    language TEXT NOT NULL CHECK (language IN ('sv','en')),
    sms_consent INTEGER NOT NULL CHECK (sms_consent IN (0,1)),
    sms_blocked_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (clinic_id, personnummer)
  )`,
  `CREATE INDEX patients_sort_name ON patients (sort_name)`,
  `CREATE INDEX patients_created ON patients (created_at)`,
  `CREATE INDEX patients_personnummer ON patients (personnummer)`,

  `CREATE TABLE price_items (
    id TEXT PRIMARY KEY,
    clinic_id TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    unit_price INTEGER NOT NULL CHECK (unit_price >= 0),
    vat_code TEXT NOT NULL,
    active INTEGER NOT NULL CHECK (active IN (0,1)),
    updated_at TEXT NOT NULL,
    UNIQUE (clinic_id, code)
  )`,

  `CREATE TABLE orders (
    local_id INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    clinic_id TEXT NOT NULL,
    order_number TEXT NOT NULL UNIQUE,
    patient_id TEXT NOT NULL REFERENCES patients (id),
    patient_name TEXT NOT NULL,
    patient_sort TEXT NOT NULL,
    patient_personnummer TEXT NOT NULL,
    patient_phone TEXT,
    created_by_user_id TEXT NOT NULL,
    clinician TEXT,
    note TEXT,
    status TEXT NOT NULL CHECK (status IN ${STATUSES}),
    status_reason TEXT NOT NULL,
    payment_kind TEXT CHECK (payment_kind IN ('invoice14','installments')),
    payment_months INTEGER,
    total INTEGER NOT NULL CHECK (total >= 0),
    vat_total INTEGER NOT NULL CHECK (vat_total >= 0),
    credited_total INTEGER NOT NULL DEFAULT 0 CHECK (credited_total >= 0),
    paid_total INTEGER NOT NULL DEFAULT 0 CHECK (paid_total >= 0),
    invoice_id TEXT,
    invoice_number TEXT,
    issue_date TEXT,
    due_date TEXT,
    paid_date TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  // One index per sortable column; the implicit trailing rowid (local_id) is the tie-breaker.
  // Nullable sort columns are indexed as ifnull(col, '') so keyset comparisons never meet NULL.
  `CREATE INDEX orders_created ON orders (created_at)`,
  `CREATE INDEX orders_patient_sort ON orders (patient_sort)`,
  `CREATE INDEX orders_due ON orders (ifnull(due_date, ''))`,
  `CREATE INDEX orders_paid ON orders (ifnull(paid_date, ''))`,
  `CREATE INDEX orders_total ON orders (total)`,
  `CREATE INDEX orders_status ON orders (status)`,
  `CREATE INDEX orders_status_created ON orders (status, created_at)`,
  `CREATE INDEX orders_open_due ON orders (due_date) WHERE status IN ('invoiced','overdue')`,
  // Overdue-only by created date (the receivables view): walks open orders only, due date in the index.
  `CREATE INDEX orders_open_created ON orders (created_at, due_date) WHERE status IN ('invoiced','overdue')`,
  `CREATE INDEX orders_patient ON orders (patient_id)`,
  `CREATE INDEX orders_staff_created ON orders (created_by_user_id, created_at)`,
  `CREATE INDEX orders_clinician_created ON orders (clinician, created_at)`,

  `CREATE TABLE order_lines (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    price_item_id TEXT,
    code TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 999),
    unit_price INTEGER NOT NULL CHECK (unit_price >= 0),
    discount_bp INTEGER NOT NULL CHECK (discount_bp BETWEEN 0 AND 10000),
    vat_code TEXT NOT NULL,
    clinician TEXT,
    line_total INTEGER NOT NULL CHECK (line_total >= 0),
    vat_amount INTEGER NOT NULL CHECK (vat_amount >= 0)
  )`,
  `CREATE INDEX order_lines_order ON order_lines (order_id, position)`,

  // The accounts-receivable header: kept exact by triggers, so the unfiltered summary is one tiny read.
  `CREATE TABLE order_status_totals (
    clinic_id TEXT NOT NULL,
    status TEXT NOT NULL,
    order_count INTEGER NOT NULL,
    total_sum INTEGER NOT NULL,
    paid_sum INTEGER NOT NULL,
    credited_sum INTEGER NOT NULL,
    PRIMARY KEY (clinic_id, status)
  ) WITHOUT ROWID`,
  `CREATE TRIGGER orders_totals_insert AFTER INSERT ON orders BEGIN
    INSERT INTO order_status_totals (clinic_id, status, order_count, total_sum, paid_sum, credited_sum)
      VALUES (new.clinic_id, new.status, 1, new.total, new.paid_total, new.credited_total)
      ON CONFLICT (clinic_id, status) DO UPDATE SET order_count = order_count + 1, total_sum = total_sum + excluded.total_sum,
        paid_sum = paid_sum + excluded.paid_sum, credited_sum = credited_sum + excluded.credited_sum;
  END`,
  `CREATE TRIGGER orders_totals_update AFTER UPDATE OF clinic_id, status, total, paid_total, credited_total ON orders BEGIN
    UPDATE order_status_totals SET order_count = order_count - 1, total_sum = total_sum - old.total,
      paid_sum = paid_sum - old.paid_total, credited_sum = credited_sum - old.credited_total
      WHERE clinic_id = old.clinic_id AND status = old.status;
    INSERT INTO order_status_totals (clinic_id, status, order_count, total_sum, paid_sum, credited_sum)
      VALUES (new.clinic_id, new.status, 1, new.total, new.paid_total, new.credited_total)
      ON CONFLICT (clinic_id, status) DO UPDATE SET order_count = order_count + 1, total_sum = total_sum + excluded.total_sum,
        paid_sum = paid_sum + excluded.paid_sum, credited_sum = credited_sum + excluded.credited_sum;
  END`,
  `CREATE TRIGGER orders_totals_delete AFTER DELETE ON orders BEGIN
    UPDATE order_status_totals SET order_count = order_count - 1, total_sum = total_sum - old.total,
      paid_sum = paid_sum - old.paid_total, credited_sum = credited_sum - old.credited_total
      WHERE clinic_id = old.clinic_id AND status = old.status;
  END`,

  // Free text. unicode61 with remove_diacritics 0 keeps å/ä/ö as letters (so "ström" finds
  // "Strömberg" and not "Stromberg"); contentless_delete lets triggers replace rows by rowid.
  `CREATE VIRTUAL TABLE orders_fts USING fts5(name, ident, refs, content='', contentless_delete=1, tokenize="unicode61 remove_diacritics 0")`,
  `CREATE TRIGGER orders_fts_insert AFTER INSERT ON orders BEGIN
    INSERT INTO orders_fts (rowid, name, ident, refs) VALUES (${ORDER_FTS_VALUES('new')});
  END`,
  `CREATE TRIGGER orders_fts_update AFTER UPDATE OF patient_name, patient_personnummer, patient_phone, order_number, invoice_number ON orders BEGIN
    DELETE FROM orders_fts WHERE rowid = old.local_id;
    INSERT INTO orders_fts (rowid, name, ident, refs) VALUES (${ORDER_FTS_VALUES('new')});
  END`,
  `CREATE TRIGGER orders_fts_delete AFTER DELETE ON orders BEGIN
    DELETE FROM orders_fts WHERE rowid = old.local_id;
  END`,
  `CREATE VIRTUAL TABLE patients_fts USING fts5(name, ident, content='', contentless_delete=1, tokenize="unicode61 remove_diacritics 0")`,
  `CREATE TRIGGER patients_fts_insert AFTER INSERT ON patients BEGIN
    INSERT INTO patients_fts (rowid, name, ident) VALUES (${PATIENT_FTS_VALUES('new')});
  END`,
  `CREATE TRIGGER patients_fts_update AFTER UPDATE OF first_name, last_name, personnummer, phone ON patients BEGIN
    DELETE FROM patients_fts WHERE rowid = old.local_id;
    INSERT INTO patients_fts (rowid, name, ident) VALUES (${PATIENT_FTS_VALUES('new')});
  END`,
  `CREATE TRIGGER patients_fts_delete AFTER DELETE ON patients BEGIN
    DELETE FROM patients_fts WHERE rowid = old.local_id;
  END`,

  // A series belongs to one device; last_number moves only inside the transaction that issues
  // (so a rolled-back issue leaves no gap). ocr_code is the series' numeric part of OCR references.
  `CREATE TABLE invoice_series (
    id TEXT PRIMARY KEY,
    clinic_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    prefix TEXT NOT NULL UNIQUE,
    ocr_code INTEGER NOT NULL UNIQUE CHECK (ocr_code BETWEEN 1 AND 99999),
    last_number INTEGER NOT NULL DEFAULT 0 CHECK (last_number >= 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE INDEX invoice_series_device ON invoice_series (device_id)`,
  `CREATE TRIGGER invoice_series_no_rewind BEFORE UPDATE OF last_number ON invoice_series WHEN new.last_number < old.last_number BEGIN
    SELECT RAISE(ABORT, 'an invoice series never goes backwards');
  END`,

  `CREATE TABLE invoices (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL UNIQUE REFERENCES orders (id),
    clinic_id TEXT NOT NULL,
    series_id TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    invoice_number TEXT NOT NULL UNIQUE,
    ocr TEXT NOT NULL,
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    total INTEGER NOT NULL CHECK (total >= 0),
    vat_total INTEGER NOT NULL CHECK (vat_total >= 0),
    payment_option TEXT NOT NULL,
    provider_order_id TEXT,
    provider_transaction_id TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (series_id, sequence)
  )`,
  `CREATE TRIGGER invoices_no_delete BEFORE DELETE ON invoices BEGIN SELECT RAISE(ABORT, 'issued invoices are never deleted; credit or cancel instead'); END`,
  `CREATE TRIGGER invoices_no_update BEFORE UPDATE OF id, order_id, clinic_id, series_id, sequence, invoice_number, ocr, issue_date, due_date, total, vat_total, payment_option, created_at ON invoices BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is immutable; credit or cancel instead');
  END`,

  `CREATE TABLE money_events (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    clinic_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('payment','installment_payment','credit','cancellation','reminder_fee')),
    amount INTEGER NOT NULL CHECK (amount >= 0),
    reason TEXT NOT NULL,
    note TEXT,
    source TEXT NOT NULL CHECK (source IN ('desk','provider','console')),
    at TEXT NOT NULL
  )`,
  `CREATE INDEX money_events_order ON money_events (order_id, at)`,
  `CREATE TRIGGER money_events_no_delete BEFORE DELETE ON money_events BEGIN SELECT RAISE(ABORT, 'money events are append-only'); END`,
  `CREATE TRIGGER money_events_no_update BEFORE UPDATE ON money_events BEGIN SELECT RAISE(ABORT, 'money events are append-only'); END`,

  `CREATE TABLE installment_plans (
    order_id TEXT PRIMARY KEY REFERENCES orders (id),
    months INTEGER NOT NULL,
    annual_interest_bp INTEGER NOT NULL CHECK (annual_interest_bp >= 0),
    setup_fee INTEGER NOT NULL,
    monthly_fee INTEGER NOT NULL,
    monthly_amount INTEGER NOT NULL,
    total_payable INTEGER NOT NULL,
    effective_annual_rate REAL NOT NULL,
    first_due_date TEXT NOT NULL,
    schedule TEXT NOT NULL
  )`,

  `CREATE TABLE sms_messages (
    id TEXT PRIMARY KEY,
    clinic_id TEXT NOT NULL,
    patient_id TEXT NOT NULL REFERENCES patients (id),
    order_id TEXT REFERENCES orders (id),
    template TEXT NOT NULL,
    "to" TEXT NOT NULL,
    provider_sid TEXT,
    status TEXT NOT NULL,
    error_code INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE INDEX sms_messages_order ON sms_messages (order_id)`,
  `CREATE INDEX sms_messages_patient ON sms_messages (patient_id, created_at)`,

  // seq is the per-device mutation sequence of invariant 2 (AUTOINCREMENT: never reused, even after deletes).
  `CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    mutation_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','in_flight','applied','rejected','discarded')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    rejection_code TEXT,
    rejection_reason TEXT
  )`,
  `CREATE INDEX outbox_status ON outbox (status, seq)`,

  `CREATE TABLE sync_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  )`,
];

export const m001_core: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    for (const statement of statements) await sql.raw(statement).execute(db);
  },
};
