/**
 * The check Paynova applies to `governmentId`: a 12-digit Swedish personnummer (or
 * samordningsnummer, day + 60) with a real date, NNN ≠ 000 and a Luhn check digit over the
 * 10-digit form. Kept local: the simulator must judge what the client sends independently of the
 * client's own validation, or a shared bug would pass both.
 */
export function isValidGovernmentId(value: string): boolean {
  if (!/^\d{12}$/.test(value)) return false;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(4, 6));
  let day = Number(value.slice(6, 8));
  if (day > 60) day -= 60;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  if (value.slice(8, 11) === '000') return false;
  return luhnCheckDigit(value.slice(2, 11)) === Number(value[11]);
}

export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    const digit = Number(payload[payload.length - 1 - i]);
    const product = i % 2 === 0 ? digit * 2 : digit;
    sum += product >= 10 ? product - 9 : product;
  }
  return (10 - (sum % 10)) % 10;
}
