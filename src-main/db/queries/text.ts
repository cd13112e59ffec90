/**
 * Text keys for sorting and FTS5 search. Pure functions: the services use them when they write,
 * the queries when they read, and the pull side can use them for rows it applies.
 */

// Shared with the sync server's console search, so both sort and fold names alike.
export { patientDisplayName, patientSortKey, sortKey } from '../../../src-shared/domain/text-keys';

const MAX_TOKENS = 8;
const MAX_TOKEN_LENGTH = 40;

/**
 * Turns what a person typed into an FTS5 MATCH expression, or null when there is nothing to
 * search. Words are quoted (so FTS5 operators and punctuation in the input are inert) and must all
 * match; only the LAST word is a prefix, as in any type-ahead box ("anna ström" finds Anna
 * Strömberg). Keeping the earlier words exact matters for speed: a prefix term makes FTS5 merge
 * the doclists of every term it covers, and "ORD"* covers a million orders.
 * When the input is a number written with separators ("19451224-1234", "070-123 45 67",
 * "+46 70 123"), the digits joined are tried as one prefix too, because the index holds
 * personnummer and phone numbers as unbroken digit runs.
 */
export function ftsMatchExpression(input: string): string | null {
  const text = input.normalize('NFC');
  const tokens = text
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0)
    .slice(0, MAX_TOKENS)
    .map((t) => t.slice(0, MAX_TOKEN_LENGTH));
  if (tokens.length === 0) return null;
  const words = tokens.map((t, i) => (i === tokens.length - 1 ? `"${t}"*` : `"${t}"`)).join(' AND ');
  const digitsOnly = /^[\d\s+\-–./()]+$/.test(text.trim());
  const joined = text.replace(/\D/g, '').slice(0, MAX_TOKEN_LENGTH);
  if (digitsOnly && tokens.length > 1 && joined.length > 0) return `(${words}) OR "${joined}"*`;
  return words;
}

/** The words ftsMatchExpression searches for, as typed (its last one is the prefix). */
export function searchWords(input: string): string[] {
  return input
    .normalize('NFC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0)
    .slice(0, MAX_TOKENS)
    .map((t) => t.slice(0, MAX_TOKEN_LENGTH));
}
