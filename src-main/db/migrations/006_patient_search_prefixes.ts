import { sql, type Kysely, type Migration } from 'kysely';
import { PATIENT_FTS_VALUES } from './001_core';

/**
 * Prefix indexes for the patient search. A type-ahead search is a prefix query ("and"*), and
 * without a prefix index FTS5 merges the doclist of every term the prefix covers on each call:
 * at 300k patients "a", "jo" or "and" cover 40–60k matches over dozens of terms, and a phone
 * prefix such as "070" covers nearly every patient through hundreds of thousands of digit terms.
 * With prefix='1 2 3' FTS5 keeps one ready doclist per 1-, 2- and 3-character prefix; longer
 * prefixes cover few terms and stay as they were. The index grows about 2.4 times (~55 MB at
 * 300k patients); the orders search has its own plans (newest matches first) and keeps its index.
 *
 * An FTS5 table's options are fixed at creation, so patients_fts is rebuilt from patients with
 * the same column values the 001 triggers write (those triggers name the table, so they carry on).
 */
export const m006_patient_search_prefixes: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`DROP TABLE patients_fts`.execute(db);
    await sql
      .raw(`CREATE VIRTUAL TABLE patients_fts USING fts5(name, ident, content='', contentless_delete=1, prefix='1 2 3', tokenize="unicode61 remove_diacritics 0")`)
      .execute(db);
    await sql.raw(`INSERT INTO patients_fts (rowid, name, ident) SELECT ${PATIENT_FTS_VALUES('patients')} FROM patients`).execute(db);
  },
};
