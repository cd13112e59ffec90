import { DomainContractError } from './result';

/**
 * Luhn (mod 10) as Swedish identifiers use it (integrations.md §5): weights 2,1,2,1… from the
 * rightmost payload digit, products ≥ 10 minus 9, check = (10 − sum mod 10) mod 10.
 */
export function luhnCheckDigit(payload: string): number {
  if (typeof payload !== 'string' || !/^\d+$/.test(payload)) {
    throw new DomainContractError('format', `A Luhn payload must be one or more digits, got ${JSON.stringify(payload)}.`, 'payload');
  }
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    const digit = payload.charCodeAt(payload.length - 1 - i) - 48;
    const product = i % 2 === 0 ? digit * 2 : digit;
    sum += product >= 10 ? product - 9 : product;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when the last digit is the Luhn check digit of the digits before it (needs ≥ 2 digits). */
export function isLuhnValid(digits: string): boolean {
  if (typeof digits !== 'string' || !/^\d{2,}$/.test(digits)) return false;
  return luhnCheckDigit(digits.slice(0, -1)) === Number(digits.slice(-1));
}
