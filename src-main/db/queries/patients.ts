import { sql, type RawBuilder } from 'kysely';
import { PatientListQuery, type PatientListQueryInput, type PatientPage } from '../../../src-shared/schemas/queries';
import type { Actor } from '../../services/actor';
import { parseInput, serviceError, type ServiceResult } from '../../services/errors';
import type { LocalStore } from '../open';
import { decodeCursor, encodeCursor } from './cursor';
import { rowToPatientListRow, type PatientListDbRow } from './mappers';
import { ftsMatchExpression } from './text';

/** Patients list and search (name, personnummer incl. last four digits, phone), keyset-paged. */
const SORT_SQL = { name: 'sort_name', createdAt: 'created_at', personnummer: 'personnummer' } as const;
type Row = PatientListDbRow & { local_id: number; sort_name: string };
/**
 * Much higher than the orders list's: the usual sort here is by name, and a name search is then
 * anything but spread evenly along the name index ("ström" matches sit at S), so walking that
 * index pays only for names so common that sorting their matches would cost more.
 */
const SPARSE_LIMIT = 20_000;
const KEY_OF = { name: (r: Row) => r.sort_name, createdAt: (r: Row) => r.created_at, personnummer: (r: Row) => r.personnummer } as const;

/** `sparseLimit` overrides SPARSE_LIMIT (tests use it to force each plan). */
export async function listPatients(store: LocalStore, actor: Actor, input: PatientListQueryInput | unknown, options: { sparseLimit?: number } = {}): Promise<ServiceResult<PatientPage>> {
  const parsed = parseInput(PatientListQuery, input);
  if (!parsed.ok) return parsed;
  const q = parsed.value;
  const conds: RawBuilder<unknown>[] = [sql`clinic_id = ${actor.clinicId}`];
  const match = ftsMatchExpression(q.search);
  // Same choice as the orders list: fetch the matches and sort them, unless there are so many
  // that walking the sort index and skipping non-matches is cheaper. A bounded FTS count decides.
  const sparseLimit = options.sparseLimit ?? SPARSE_LIMIT;
  let walk = true;
  if (match) {
    const probe = await sql<{ n: number }>`SELECT count(*) AS n FROM (SELECT 1 FROM patients_fts WHERE patients_fts MATCH ${match} LIMIT ${sparseLimit})`.execute(store.db);
    walk = Number(probe.rows[0]?.n ?? 0) >= sparseLimit;
    conds.push(sql`${sql.raw(walk ? '+local_id' : 'local_id')} IN (SELECT rowid FROM patients_fts WHERE patients_fts MATCH ${match})`);
  }
  const key = sql.raw(`${walk ? '' : '+'}${SORT_SQL[q.sort]}`);
  const dir = sql.raw(q.direction === 'asc' ? 'ASC' : 'DESC');
  if (q.cursor !== null) {
    const c = decodeCursor(q.cursor, q.sort, q.direction);
    if (!c) return { ok: false, error: serviceError('validation', 'cursor: does not belong to this sort; start from the first page', 'cursor') };
    conds.push(q.direction === 'asc' ? sql`${key} >= ${c.k} AND (${key}, local_id) > (${c.k}, ${c.i})` : sql`${key} <= ${c.k} AND (${key}, local_id) < (${c.k}, ${c.i})`);
  }
  const { rows } = await sql<Row>`
    SELECT local_id, id, personnummer, first_name, last_name, sort_name, phone, email, language, sms_consent, sms_blocked_reason, created_at
    FROM patients WHERE ${sql.join(conds, sql` AND `)}
    ORDER BY ${key} ${dir}, local_id ${dir}
    LIMIT ${q.limit + 1}`.execute(store.db);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > q.limit && last ? encodeCursor({ s: q.sort, d: q.direction, k: KEY_OF[q.sort](last), i: last.local_id }) : null;
  return { ok: true, value: { rows: page.map(rowToPatientListRow), nextCursor } };
}
