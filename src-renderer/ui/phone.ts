/** Swedish mobile numbers as people write them ("070-123 45 67") to E.164 ("+46701234567"). */
export function toE164(text: string): string | null {
  const s = text.replace(/[\s()-]/g, '');
  if (s === '') return null;
  if (s.startsWith('+')) return s;
  if (s.startsWith('00')) return `+${s.slice(2)}`;
  if (s.startsWith('0')) return `+46${s.slice(1)}`;
  return s;
}
