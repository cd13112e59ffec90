import { lineAmount, parseSek } from '../../src-shared/domain/money';
import type { VatCode } from '../../src-shared/schemas/enums';
import type { MessageKey } from '../ui/messages';

/** One order line as typed in the new-order form, and its checks: pure, testable without a DOM. */
export interface LineDraft {
  key: number;
  priceItemId: string | null;
  code: string;
  description: string;
  quantity: string;
  unitPrice: string;
  discount: string;
  vatCode: VatCode;
  clinician: string;
}

export interface LineCheck {
  quantity: number | null;
  unitPrice: number | null;
  discountBp: number | null;
  amount: number | null;
  errors: Partial<Record<'quantity' | 'unitPrice' | 'discount', MessageKey>>;
}

/** Parses one line as typed. Bad input is reported, never silently fixed. */
export function checkLine(l: LineDraft): LineCheck {
  const errors: LineCheck['errors'] = {};
  const q = l.quantity.trim();
  const quantity = /^\d+$/.test(q) && Number(q) >= 1 && Number(q) <= 999 ? Number(q) : null;
  if (quantity === null) errors.quantity = 'error.quantity';
  const price = parseSek(l.unitPrice);
  const unitPrice = price.ok && price.value >= 0 ? price.value : null;
  if (unitPrice === null) errors.unitPrice = 'error.amount';
  const d = l.discount.trim().replace(',', '.');
  const pct = d === '' ? 0 : /^\d+(\.\d{1,2})?$/.test(d) ? Number(d) : NaN;
  const discountBp = Number.isFinite(pct) && pct >= 0 && pct <= 100 ? Math.round(pct * 100) : null;
  if (discountBp === null) errors.discount = 'error.discount';
  let amount: number | null = null;
  if (quantity !== null && unitPrice !== null && discountBp !== null) {
    const r = lineAmount({ unitPrice, quantity, discountBp });
    amount = r.ok ? r.value : null;
  }
  return { quantity, unitPrice, discountBp, amount, errors };
}

export function oreToText(ore: number): string {
  return (ore / 100).toFixed(2).replace('.', ',');
}

