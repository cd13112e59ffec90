import { sql, type Kysely, type Transaction } from 'kysely';
import { patientSortKey } from '../../src-shared/domain/text-keys';
import type { Invoice, Order, Patient } from '../../src-shared/schemas/entities';
import type { ServerDatabase } from '../db/schema';

/**
 * The console's SQL view of orders (tables from migration 005): the columns its search filters,
 * sorts and searches on, computed from the documents of the change feed (projector.ts). Each
 * order, patient or invoice costs one row write here; the JSON in `entities` stays the source of
 * truth and the page's rows are read from it.
 */

export interface ConsoleOrdersTable {
  clinic_id: string;
  id: string;
  order_number: string;
  patient_id: string;
  created_by_user_id: string;
  clinician: string | null;
  status: string;
  payment_kind: string | null;
  total: number;
  paid_total: number;
  credited_total: number;
  created_at: string;
  /** The day the order first became paid (kept once set, like the desk's paid_date). */
  paid_date: string | null;
  invoice_number: string | null;
  issue_date: string | null;
  due_date: string | null;
  /** Order number and clinician as searchWords, each preceded by a space. */
  search: string;
  /** The invoice number as searchWords ('' until invoiced). */
  invoice_search: string;
}

export interface ConsolePatientsTable {
  clinic_id: string;
  id: string;
  sort_name: string;
  /** Names, personnummer and phone (international and Swedish national form) as searchWords. */
  search: string;
}

/** How far each clinic's change feed has been projected (projector.ts). */
export interface ConsoleProjectionTable {
  clinic_id: string;
  cursor: number;
}

export type ConsoleDatabase = ServerDatabase & { console_orders: ConsoleOrdersTable; console_patients: ConsolePatientsTable; console_projection: ConsoleProjectionTable };
export type ConsoleExecutor = Kysely<ConsoleDatabase> | Transaction<ConsoleDatabase>;

/** The same connection typed with the console projection tables. */
export function consoleDb<T>(db: Kysely<T> | Transaction<T>): ConsoleExecutor {
  return db as unknown as ConsoleExecutor;
}

/**
 * The words of a text as search sees them: NFC, Swedish lower case (so "Ström" and "STRÖM" are
 * "ström" on SQLite too, whose lower() only folds ASCII), split at anything not a letter or digit.
 */
export function searchWords(text: string): string[] {
  return text.normalize('NFC').toLocaleLowerCase('sv').split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** Stored form: every word preceded by a space, so `LIKE '% tok%'` means "a word starts with tok". */
export function searchColumn(parts: readonly (string | null | undefined)[]): string {
  return searchWords(parts.filter((p): p is string => !!p).join(' ')).map((w) => ` ${w}`).join('');
}

/** +46 70 123 45 67 is typed as 070-123 45 67 at a Swedish desk: index both digit runs. */
function phoneForms(phone: string | null): string[] {
  if (!phone) return [];
  const digits = phone.replace(/\D/g, '');
  return digits.startsWith('46') ? [digits, `0${digits.slice(2)}`] : [digits];
}

export function orderRow(clinicId: string, o: Order): ConsoleOrdersTable {
  const paidDate = o.paidTotal > 0 && (o.status === 'paid' || o.status === 'completed') ? o.updatedAt.slice(0, 10) : null;
  return {
    clinic_id: clinicId, id: o.id, order_number: o.orderNumber, patient_id: o.patientId, created_by_user_id: o.createdByUserId, clinician: o.clinician,
    status: o.status, payment_kind: o.paymentOption?.kind ?? null, total: o.total, paid_total: o.paidTotal, credited_total: o.creditedTotal,
    created_at: o.createdAt, paid_date: paidDate, invoice_number: null, issue_date: null, due_date: null,
    search: searchColumn([o.orderNumber, o.clinician]), invoice_search: '',
  };
}

export function patientRow(clinicId: string, p: Patient): ConsolePatientsTable {
  return { clinic_id: clinicId, id: p.id, sort_name: patientSortKey(p.firstName, p.lastName), search: searchColumn([p.firstName, p.lastName, p.personnummer, ...phoneForms(p.phone)]) };
}

const CHUNK = 500;

/**
 * Writes the projection of documents (keys `${entity}\0${id}`): at most one statement per table
 * per 500 documents. Orders before invoices: an invoice fills in its order's row, which must exist
 * by then.
 */
export async function projectConsoleRows(trx: Kysely<ServerDatabase> | Transaction<ServerDatabase>, clinicId: string, docs: Iterable<readonly [string, Record<string, unknown> | null]>): Promise<void> {
  const orders: ConsoleOrdersTable[] = [];
  const patients: ConsolePatientsTable[] = [];
  const invoices: Invoice[] = [];
  for (const [key, doc] of docs) {
    if (doc === null) continue;
    const entity = key.slice(0, key.indexOf('\u0000'));
    if (entity === 'order') orders.push(orderRow(clinicId, doc as unknown as Order));
    else if (entity === 'patient') patients.push(patientRow(clinicId, doc as unknown as Patient));
    else if (entity === 'invoice') invoices.push(doc as unknown as Invoice);
  }
  const db = consoleDb(trx);
  for (let i = 0; i < orders.length; i += CHUNK) {
    await db
      .insertInto('console_orders')
      .values(orders.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.columns(['clinic_id', 'id']).doUpdateSet((eb) => ({
          order_number: eb.ref('excluded.order_number'),
          patient_id: eb.ref('excluded.patient_id'),
          created_by_user_id: eb.ref('excluded.created_by_user_id'),
          clinician: eb.ref('excluded.clinician'),
          status: eb.ref('excluded.status'),
          payment_kind: eb.ref('excluded.payment_kind'),
          total: eb.ref('excluded.total'),
          paid_total: eb.ref('excluded.paid_total'),
          credited_total: eb.ref('excluded.credited_total'),
          created_at: eb.ref('excluded.created_at'),
          // The first paid day stays, as on the desk: a later credit does not move it.
          paid_date: eb.fn.coalesce('console_orders.paid_date', 'excluded.paid_date'),
          search: eb.ref('excluded.search'),
          // Invoice columns are the invoice's to write, not the order's.
        })),
      )
      .execute();
  }
  for (let i = 0; i < patients.length; i += CHUNK) {
    await db
      .insertInto('console_patients')
      .values(patients.slice(i, i + CHUNK))
      .onConflict((oc) => oc.columns(['clinic_id', 'id']).doUpdateSet((eb) => ({ sort_name: eb.ref('excluded.sort_name'), search: eb.ref('excluded.search') })))
      .execute();
  }
  // One UPDATE per chunk, not per invoice: UPDATE … FROM (VALUES …) runs on both databases (SQLite
  // 3.33+), whose VALUES columns are both named column1, column2, …
  const byOrder = [...new Map(invoices.map((inv) => [inv.orderId, inv])).values()];
  for (let i = 0; i < byOrder.length; i += CHUNK) {
    const values = sql.join(byOrder.slice(i, i + CHUNK).map((inv) => sql`(${inv.orderId}, ${inv.invoiceNumber}, ${inv.issueDate}, ${inv.dueDate}, ${searchColumn([inv.invoiceNumber])})`));
    await sql`UPDATE console_orders SET invoice_number = v.column2, issue_date = v.column3, due_date = v.column4, invoice_search = v.column5
      FROM (VALUES ${values}) AS v WHERE console_orders.clinic_id = ${clinicId} AND console_orders.id = v.column1`.execute(db);
  }
}

/**
 * Projects every order, patient and invoice document already stored (migration 005), a clinic
 * at a time and in pages, so a large server does not hold all documents at once. The documents
 * are read from `entity_docs`, or, in migration 005, which runs before 006 made that view, from
 * the entity rows that then still held them (same columns).
 */
export async function rebuildConsoleProjection(db: Kysely<ServerDatabase>, source: 'entity_docs' | 'entities' = 'entity_docs'): Promise<void> {
  const clinics = await db.selectFrom('clinics').select('id').execute();
  for (const { id: clinicId } of clinics) {
    for (const entity of ['order', 'patient', 'invoice']) {
      let after = '';
      for (;;) {
        const rows = await db
          .selectFrom(source as 'entity_docs').select(['id', 'data'])
          .where('clinic_id', '=', clinicId).where('entity', '=', entity).where('id', '>', after)
          .orderBy('id').limit(CHUNK).execute();
        if (rows.length === 0) break;
        await projectConsoleRows(db, clinicId, rows.map((r) => [`${entity}\u0000${r.id}`, JSON.parse(r.data) as Record<string, unknown>] as const));
        after = rows[rows.length - 1]!.id;
      }
    }
  }
}
