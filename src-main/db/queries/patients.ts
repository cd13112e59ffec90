import { sql, type RawBuilder } from 'kysely';
import { PatientListQuery, type PatientListQueryInput, type PatientPage } from '../../../src-shared/schemas/queries';
import type { Actor } from '../../services/actor';
import { parseInput, serviceError, type ServiceResult } from '../../services/errors';
import type { LocalStore } from '../open';
import { decodeCursor, encodeCursor } from './cursor';
import { rowToPatientListRow, type PatientListDbRow } from './mappers';
import { fillSearchHits, runSync } from './search-hits';
import { ftsMatchExpression, searchWords, sortKey } from './text';

/** Patients list and search (name, personnummer incl. last four digits, phone), keyset-paged. */
const SORT_SQL = { name: 'sort_name', createdAt: 'created_at', personnummer: 'personnummer' } as const;
type Row = PatientListDbRow & { local_id: number; sort_name: string };
/**
 * Much higher than the orders list's: the usual sort here is by name, and a name search is then
 * anything but spread evenly along the name index ("ström" matches sit at S), so walking that
 * index pays only for names so common that sorting their matches would cost more.
 */
const SPARSE_LIMIT = 20_000;
/** At most this many matches outside the name range (see below) are fetched and merged in. */
const OUTSIDE_LIMIT = 2_000;
/**
 * Matches looked up to estimate how many lie outside the name range. It only picks the plan (the
 * exact count follows unless the estimate is far over OUTSIDE_LIMIT), so the page stays exact;
 * the hits are in rowid order, which says nothing about names.
 */
const OUTSIDE_SAMPLE = 256;
const KEY_OF = { name: (r: Row) => r.sort_name, createdAt: (r: Row) => r.created_at, personnummer: (r: Row) => r.personnummer } as const;
const COLUMNS = sql.raw('local_id, id, personnummer, first_name, last_name, sort_name, phone, email, language, sms_consent, sms_blocked_reason, created_at');

/** `sparseLimit` overrides SPARSE_LIMIT and `outsideLimit` OUTSIDE_LIMIT (tests use them to force each plan). */
export async function listPatients(
  store: LocalStore,
  actor: Actor,
  input: PatientListQueryInput | unknown,
  options: { sparseLimit?: number; outsideLimit?: number } = {},
): Promise<ServiceResult<PatientPage>> {
  const parsed = parseInput(PatientListQuery, input);
  if (!parsed.ok) return parsed;
  const q = parsed.value;
  let cursor: ReturnType<typeof decodeCursor> = null;
  if (q.cursor !== null) {
    cursor = decodeCursor(q.cursor, q.sort, q.direction);
    if (!cursor) return { ok: false, error: serviceError('validation', 'cursor: does not belong to this sort; start from the first page', 'cursor') };
  }
  const dir = sql.raw(q.direction === 'asc' ? 'ASC' : 'DESC');
  const keyset = (key: RawBuilder<unknown>) => {
    if (!cursor) return sql`1`;
    return q.direction === 'asc' ? sql`${key} >= ${cursor.k} AND (${key}, local_id) > (${cursor.k}, ${cursor.i})` : sql`${key} <= ${cursor.k} AND (${key}, local_id) < (${cursor.k}, ${cursor.i})`;
  };
  const clinic = sql`clinic_id = ${actor.clinicId}`;
  // From here on everything runs synchronously on the raw connection (see search-hits.ts).
  const match = ftsMatchExpression(q.search);
  const hits = match ? fillSearchHits(store, 'patients_fts', match) : null;
  let rows: Row[] | null = null;
  if (hits && q.sort === 'name') rows = byNameRange(store, q.search, hits.source, hits.count, clinic, keyset, dir, q.limit + 1, options.outsideLimit ?? OUTSIDE_LIMIT);
  if (!rows) {
    // Fetch the matches and sort them, unless there are so many that walking the sort index and
    // skipping non-matches is cheaper. A name search lands here sorted by name only when more
    // than OUTSIDE_LIMIT of its matches lie outside the typed prefix's name range (a first name,
    // a phone prefix): those recur in every last-name group of the name index, so the walk finds
    // a page within about the largest group ("ö" at 300k patients: the Örjans at the end of the
    // Andersson group, ~28k entries, ~4 ms), while sorting them costs every one of them.
    const sparseLimit = options.sparseLimit ?? (hits && q.sort === 'name' ? (options.outsideLimit ?? OUTSIDE_LIMIT) : SPARSE_LIMIT);
    const walk = !hits || hits.count >= sparseLimit;
    const conds: RawBuilder<unknown>[] = [clinic];
    if (hits) conds.push(sql`${sql.raw(walk ? '+local_id' : 'local_id')} IN (${hits.source})`);
    const key = sql.raw(`${walk ? '' : '+'}${SORT_SQL[q.sort]}`);
    conds.push(keyset(key));
    rows = runSync(store, sql<Row>`
      SELECT ${COLUMNS} FROM patients WHERE ${sql.join(conds, sql` AND `)}
      ORDER BY ${key} ${dir}, local_id ${dir}
      LIMIT ${q.limit + 1}`);
  }
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > q.limit && last ? encodeCursor({ s: q.sort, d: q.direction, k: KEY_OF[q.sort](last), i: last.local_id }) : null;
  return { ok: true, value: { rows: page.map(rowToPatientListRow), nextCursor } };
}

/**
 * A name search sorted by name. Most matches of a typed prefix are people whose LAST name starts
 * with it, and those sit together on the name index (sort_name is "last first" in Swedish order):
 * the range [sortKey(prefix), sortKey(prefix) + U+FFFF) is walked in order, skipping
 * non-matches, and stops when the page is full, however common the name ("berg": ~8k matches).
 * The matches outside that range (a first name, a later word, a number) are found by removing
 * the range from the matches, fetched and merged in; when there are too many of them this plan
 * gives way (null) to the general one. Exact either way: the range only splits the match set.
 */
function byNameRange(
  store: LocalStore,
  search: string,
  hits: RawBuilder<unknown>,
  hitCount: number,
  clinic: RawBuilder<unknown>,
  keyset: (key: RawBuilder<unknown>) => RawBuilder<unknown>,
  dir: RawBuilder<unknown>,
  limit: number,
  outsideLimit: number,
): Row[] | null {
  const words = searchWords(search);
  const prefix = words[words.length - 1];
  if (!prefix) return null;
  const from = sortKey(prefix);
  const to = `${from}\uffff`;
  const range = sql`sort_name >= ${from} AND sort_name < ${to}`;
  // Counting the matches inside the range walks all of it ("and": ~24k Andersson at 300k
  // patients); a sample of the matches says first whether the outsiders are clearly too many.
  // CROSS JOIN fixes the order: the planner would otherwise scan patients and probe the sample.
  if (hitCount > 2 * outsideLimit) {
    const sample = runSync(store, sql<{ n: number; inside: number }>`SELECT count(*) AS n, ifnull(sum(${range}), 0) AS inside
      FROM (${hits} LIMIT ${OUTSIDE_SAMPLE}) AS h CROSS JOIN patients ON patients.local_id = h.id`)[0];
    if (sample && sample.n > 0 && ((sample.n - sample.inside) / sample.n) * hitCount > 2 * outsideLimit) return null;
  }
  const inside = runSync(store, sql<{ n: number }>`SELECT count(*) AS n FROM patients INDEXED BY patients_sort_name WHERE ${range} AND +local_id IN (${hits})`);
  const outside = hitCount - Number(inside[0]?.n ?? 0);
  if (outside > outsideLimit) return null;
  const inRange = sql<Row>`SELECT * FROM (SELECT ${COLUMNS} FROM patients INDEXED BY patients_sort_name
    WHERE ${range} AND +local_id IN (${hits}) AND ${clinic} AND ${keyset(sql.raw('sort_name'))}
    ORDER BY sort_name ${dir}, local_id ${dir} LIMIT ${limit})`;
  if (outside === 0) return runSync(store, inRange);
  const outOfRange = sql<Row>`SELECT * FROM (SELECT ${COLUMNS} FROM patients
    WHERE local_id IN (SELECT id FROM (${hits}) WHERE id NOT IN (SELECT local_id FROM patients INDEXED BY patients_sort_name WHERE ${range}))
      AND ${clinic} AND ${keyset(sql.raw('+sort_name'))}
    ORDER BY +sort_name ${dir}, local_id ${dir} LIMIT ${limit})`;
  return runSync(store, sql<Row>`SELECT * FROM (${inRange} UNION ALL ${outOfRange}) ORDER BY sort_name ${dir}, local_id ${dir} LIMIT ${limit}`);
}
