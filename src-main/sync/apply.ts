import type Database from 'better-sqlite3';
import { parseInvoiceNumber } from '../../src-shared/domain/invoice-series';
import type { Invoice, MoneyEvent, Order, Patient, PriceItem } from '../../src-shared/schemas/entities';
import { SmsStatus } from '../../src-shared/schemas/enums';
import { SmsStatusNotice } from '../../src-shared/schemas/notices';
import type { Change } from '../../src-shared/sync/protocol';
import { invoiceToRow, moneyEventToRow, orderLineToRow, orderToRow, patientColumns, patientToRow, priceItemToRow } from '../db/queries/mappers';
import { nextSmsState } from '../jobs/sms-status';

type Row = Record<string, unknown>;

/** INSERT … ON CONFLICT(key) DO UPDATE of every column except the key and `keep`. */
function upsertSql(table: string, columns: readonly string[], key: string, keep: readonly string[] = []): string {
  const cols = columns.map((c) => `"${c}"`).join(', ');
  const vals = columns.map((c) => `@${c}`).join(', ');
  const sets = columns.filter((c) => c !== key && !keep.includes(c)).map((c) => `"${c}" = excluded."${c}"`).join(', ');
  return `INSERT INTO ${table} (${cols}) VALUES (${vals}) ON CONFLICT ("${key}") DO UPDATE SET ${sets}`;
}

const insertIgnoreSql = (table: string, columns: readonly string[]) =>
  `INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')}) ON CONFLICT DO NOTHING`;

const sample = {
  patient: Object.keys(patientToRow({ id: '', clinicId: '', personnummer: '', firstName: '', lastName: '', phone: null, email: null, address: null, language: 'sv', smsConsent: false, smsBlockedReason: null, createdAt: '', updatedAt: '' })),
  order: [
    'id', 'clinic_id', 'order_number', 'patient_id', 'patient_name', 'patient_sort', 'patient_personnummer', 'patient_phone', 'created_by_user_id', 'clinician', 'note',
    'status', 'status_reason', 'payment_kind', 'payment_months', 'total', 'vat_total', 'credited_total', 'paid_total', 'invoice_id', 'invoice_number', 'issue_date',
    'due_date', 'paid_date', 'created_at', 'updated_at', 'activated_at',
  ],
  line: ['id', 'order_id', 'position', 'price_item_id', 'code', 'description', 'quantity', 'unit_price', 'discount_bp', 'vat_code', 'clinician', 'line_total', 'vat_amount'],
  invoice: [
    'id', 'order_id', 'clinic_id', 'series_id', 'sequence', 'invoice_number', 'ocr', 'issue_date', 'due_date', 'total', 'vat_total', 'payment_option',
    'provider_order_id', 'provider_transaction_id', 'created_at',
  ],
  money: ['id', 'order_id', 'clinic_id', 'kind', 'amount', 'reason', 'note', 'source', 'at'],
  price: ['id', 'clinic_id', 'code', 'name', 'unit_price', 'vat_code', 'active', 'updated_at'],
};

/**
 * Writes server entities into the desk's core tables (through the store's own mappers, so the
 * denormalized columns are derived exactly as the local services derive them) and keeps the
 * server-confirmed copy of every entity in sync_entities. Prepared once per database.
 * Call only inside a better-sqlite3 transaction (ChangeApplier.applyPage does).
 */
export class ChangeApplier {
  private readonly st;

  constructor(private readonly sqlite: Database.Database) {
    const p = (s: string) => sqlite.prepare(s);
    this.st = {
      shadow: p(`INSERT INTO sync_entities (entity, id, data, cursor) VALUES (?, ?, ?, ?) ON CONFLICT (entity, id) DO UPDATE SET data = excluded.data, cursor = excluded.cursor`),
      shadowDelete: p(`DELETE FROM sync_entities WHERE entity = ? AND id = ?`),
      shadowGet: p(`SELECT data FROM sync_entities WHERE entity = ? AND id = ?`),
      patient: p(upsertSql('patients', sample.patient, 'id')),
      patientOf: p(`SELECT first_name, last_name, personnummer, phone FROM patients WHERE id = ?`),
      ordersOfPatient: p(`UPDATE orders SET patient_name = @patient_name, patient_sort = @patient_sort, patient_personnummer = @patient_personnummer, patient_phone = @patient_phone WHERE patient_id = @id`),
      order: p(upsertSql('orders', sample.order, 'id', ['invoice_id', 'invoice_number', 'issue_date', 'due_date'])),
      // What the order row keeps from before: its paid date and its invoice, in one lookup.
      orderLocal: p(`SELECT o.paid_date, i.id, i.invoice_number, i.issue_date, i.due_date FROM (SELECT ? AS oid) x
        LEFT JOIN orders o ON o.id = x.oid LEFT JOIN invoices i ON i.order_id = x.oid`),
      deleteLines: p(`DELETE FROM order_lines WHERE order_id = ?`),
      line: p(`INSERT INTO order_lines (${sample.line.join(', ')}) VALUES (${sample.line.map((c) => `@${c}`).join(', ')})`),
      invoice: p(insertIgnoreSql('invoices', sample.invoice)),
      orderInvoice: p(`UPDATE orders SET invoice_id = @id, invoice_number = @invoice_number, issue_date = @issue_date, due_date = @due_date WHERE id = @order_id`),
      money: p(insertIgnoreSql('money_events', sample.money)),
      price: p(upsertSql('price_items', sample.price, 'id')),
      voidMoney: p(`INSERT OR IGNORE INTO money_event_voids (event_id, mutation_id, code, reason, at)
        SELECT @eventId, @mutationId, @code, @reason, @at
        WHERE EXISTS (SELECT 1 FROM money_events WHERE id = @eventId AND source = 'desk')
          AND NOT EXISTS (SELECT 1 FROM sync_entities WHERE entity = 'money_event' AND id = @eventId)`),
      smsGet: p(`SELECT status, error_code FROM sms_message WHERE sid = ?`),
      smsSet: p(`UPDATE sms_message SET status = ?, error_code = ?, updated_at = ? WHERE sid = ?`),
      cursorSet: p(`INSERT INTO sync_state (key, value) VALUES ('pull_cursor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
      cursorGet: p(`SELECT value FROM sync_state WHERE key = 'pull_cursor'`),
    };
  }

  cursor(): number {
    const row = this.st.cursorGet.get() as { value: string } | undefined;
    return row ? Number(row.value) : 0;
  }

  /** One page in ONE transaction together with its cursor (invariant 4). */
  applyPage(changes: readonly Change[], nextCursor: number, protectedKeys: ReadonlySet<string> = new Set()): void {
    this.sqlite.transaction(() => {
      for (const c of changes) this.apply(c, protectedKeys.has(`${c.entity}:${c.entityId}`));
      this.st.cursorSet.run(String(nextCursor));
    })();
  }

  /** `serverCopyOnly`: the row has an unanswered local change, so only the server copy moves. */
  apply(c: Change, serverCopyOnly = false): void {
    if (c.op === 'delete' || c.data === null) {
      this.st.shadowDelete.run(c.entity, c.entityId);
      return;
    }
    this.st.shadow.run(c.entity, c.entityId, JSON.stringify(c.data), c.cursor);
    if (!serverCopyOnly) this.writeCore(c.entity, c.data);
  }

  /** The server-confirmed state of an entity, or null if the server never had it. */
  serverCopy(entity: string, id: string): Row | null {
    const row = this.st.shadowGet.get(entity, id) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as Row) : null;
  }

  /**
   * Voids a local money event whose command the server rejected (005_money_voids): it stays in the
   * append-only money_events but every read leaves it out. A no-op for an event the server has
   * confirmed, one that is not the desk's own, or one already voided.
   */
  voidMoneyEvent(eventId: string, mutationId: string, code: string, reason: string): void {
    this.st.voidMoney.run({ eventId, mutationId, code, reason, at: new Date().toISOString() });
  }

  /** Rewrites the core row of an entity from the server copy (rolls back an optimistic change). */
  restore(entity: string, id: string): boolean {
    const doc = this.serverCopy(entity, id);
    if (!doc) return false;
    this.writeCore(entity, doc);
    return true;
  }

  /**
   * A Twilio status callback the server received (a `sms_status` notice) moves this desk's
   * sms_message row by the same forward-only rule as a callback or a poll on the desk, so a late
   * notice never undoes a newer status. A message another desk sent has no row here: nothing to do.
   * Other notices (cancellation requests, rejected mutations) are read from sync_entities.
   */
  private applySmsStatus(data: Row): void {
    const n = SmsStatusNotice.safeParse(data);
    if (!n.success) return;
    const row = this.st.smsGet.get(n.data.messageSid) as { status: string; error_code: number | null } | undefined;
    const stored = row ? SmsStatus.safeParse(row.status) : null;
    if (!row || !stored?.success) return;
    const next = nextSmsState({ status: stored.data, errorCode: row.error_code }, { status: n.data.status, errorCode: n.data.errorCode });
    if (next) this.st.smsSet.run(next.status, next.errorCode, new Date().toISOString(), n.data.messageSid);
  }

  private writeCore(entity: string, data: Row): void {
    switch (entity) {
      case 'patient': {
        const p = data as unknown as Patient;
        this.st.patient.run(patientToRow(p));
        this.st.ordersOfPatient.run({ id: p.id, ...patientColumns(p) });
        return;
      }
      case 'order': {
        const o = data as unknown as Order;
        const pr = this.st.patientOf.get(o.patientId) as { first_name: string; last_name: string; personnummer: string; phone: string | null } | undefined;
        if (!pr) throw new Error(`Order ${o.id} arrived before its patient ${o.patientId}`);
        const local = this.st.orderLocal.get(o.id) as { paid_date: string | null; id: string | null; invoice_number: string; issue_date: string; due_date: string };
        const inv = local.id === null ? undefined : { id: local.id, invoice_number: local.invoice_number, issue_date: local.issue_date, due_date: local.due_date };
        const prevPaid = local.paid_date;
        const paidDate = prevPaid ?? (o.paidTotal > 0 && (o.status === 'paid' || o.status === 'completed') ? o.updatedAt.slice(0, 10) : null);
        const row = {
          ...orderToRow(o, {
            patient: { firstName: pr.first_name, lastName: pr.last_name, personnummer: pr.personnummer, phone: pr.phone },
            invoice: inv ? { id: inv.id, invoiceNumber: inv.invoice_number, issueDate: inv.issue_date, dueDate: inv.due_date } : null,
            paidDate,
          }),
          // The server's recorded activation (moveOrder): the desk's cancel/credit checks read it.
          activated_at: o.activatedAt ?? null,
        };
        this.st.order.run(row);
        this.st.deleteLines.run(o.id);
        o.lines.forEach((l, i) => this.st.line.run(orderLineToRow(o.id, i, l)));
        return;
      }
      case 'invoice': {
        const inv = data as unknown as Invoice;
        const n = parseInvoiceNumber(inv.invoiceNumber);
        this.st.invoice.run(invoiceToRow(inv, n.ok ? n.value.number : 0, inv.issueDate));
        this.st.orderInvoice.run({ id: inv.id, invoice_number: inv.invoiceNumber, issue_date: inv.issueDate, due_date: inv.dueDate, order_id: inv.orderId });
        return;
      }
      case 'money_event':
        this.st.money.run(moneyEventToRow(data as unknown as MoneyEvent));
        return;
      case 'price_item':
        this.st.price.run(priceItemToRow(data as unknown as PriceItem, new Date().toISOString()));
        return;
      case 'notice':
        this.applySmsStatus(data);
        return;
      default:
        // users, clinic settings and service settings live in sync_entities only.
        return;
    }
  }
}
