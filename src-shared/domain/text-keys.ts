/**
 * Text keys for sorting and searching names the Swedish way. Pure functions shared by the desk's
 * store (src-main/db/queries) and the sync server's console projection (src-server/console), so a
 * patient list sorts and a search matches the same on both.
 */

/**
 * Swedish collation key: lower case, other diacritics folded (é → e, ü → u), and å, ä, ö mapped
 * to the three code points just after "z" so they sort last and in Swedish order (å < ä < ö).
 * A plain BINARY index on this key then lists names the way a Swedish receptionist expects.
 */
export function sortKey(text: string): string {
  const lower = text.normalize('NFC').toLowerCase();
  let out = '';
  for (const ch of lower) {
    if (ch === 'å') out += '{';
    else if (ch === 'ä' || ch === 'æ') out += '|';
    else if (ch === 'ö' || ch === 'ø') out += '}';
    else out += ch.normalize('NFD').replace(/\p{M}/gu, '');
  }
  return out;
}

/** The name as lists show it and the sort key it is ordered by ("Lastname Firstname"). */
export function patientDisplayName(firstName: string, lastName: string): string {
  return `${firstName} ${lastName}`;
}
export function patientSortKey(firstName: string, lastName: string): string {
  return sortKey(`${lastName} ${firstName}`);
}
