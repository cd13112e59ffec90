import { addDays, addMonths, compareDates, isValidDate, type CalendarDate } from './dates';
import { divRoundHalfUp, isSafeInt } from './integer';
import type { Ore } from './money';
import { DomainContractError, err, ok, type DomainError, type Result } from './result';

/**
 * Installment plans (domain.md "Installments and credit"): annuity schedule, fees, and the
 * effective annual rate that konsumentkreditlagen requires next to every credit offer.
 */

export const MIN_PLAN_MONTHS = 3;
export const MAX_PLAN_MONTHS = 24;
/** Invoice fee-free payment term, days. */
export const INVOICE_TERM_DAYS = 14;
/** Påminnelseavgift ceiling (lag 1981:739), öre. */
export const REMINDER_FEE_MAX: Ore = 6000;
/** Inkassokrav ceiling, öre. */
export const COLLECTION_FEE_MAX: Ore = 18000;
/** Interest cap on consumer credit: reference rate + 20 percentage points, from this date. */
export const INTEREST_CAP_MARGIN_BP = 2000;
export const INTEREST_CAP_FROM: CalendarDate = '2025-03-01';
/** Dröjsmålsränta: reference rate + 8 percentage points (räntelagen 6 §). */
export const LATE_INTEREST_MARGIN_BP = 800;

export type PlanErrorCode =
  | 'principal_not_positive'
  | 'not_integer'
  | 'months_not_integer'
  | 'months_out_of_range'
  | 'rate_not_integer'
  | 'negative_rate'
  | 'negative_fee'
  | 'invalid_date'
  | 'out_of_range'
  | 'interest_above_cap';
export type PlanError = DomainError<PlanErrorCode>;

const planError = (code: PlanErrorCode, message: string, field?: string): PlanError =>
  field === undefined ? { code, message } : { code, message, field };

export interface PlanInput {
  principal: Ore;
  months: number;
  /** Nominal annual interest in basis points (1250 = 12.5 %). */
  annualInterestBp: number;
  /** Paid with the first installment. */
  setupFee: Ore;
  /** Notification fee on every installment. */
  monthlyFee: Ore;
  startDate: CalendarDate;
}

export interface InstallmentPayment {
  n: number;
  dueDate: CalendarDate;
  principal: Ore;
  interest: Ore;
  fee: Ore;
  total: Ore;
  /** Principal still owed after this payment. */
  balanceAfter: Ore;
}

export interface InstallmentPlan {
  payments: InstallmentPayment[];
  /** The regular monthly total (annuity + monthly fee), as an offer states it. */
  monthlyAmount: Ore;
  totalInterest: Ore;
  totalFees: Ore;
  /** Kreditkostnad: interest + fees. */
  totalCost: Ore;
  totalPayable: Ore;
  /** Effective annual rate as a fraction (0.1512 = 15.12 %). */
  effectiveAnnualRate: number;
  /** "Räntefri" may be said only when the effective rate, fees included, is exactly 0. */
  interestFree: boolean;
}

function validatePlanInput(input: PlanInput): PlanError | undefined {
  if (input === null || typeof input !== 'object') return planError('not_integer', 'The plan input must be an object.');
  const { principal, months, annualInterestBp, setupFee, monthlyFee, startDate } = input;
  if (!isSafeInt(principal)) return planError('not_integer', `The principal must be a whole number of öre, got ${String(principal)}.`, 'principal');
  if (principal <= 0) return planError('principal_not_positive', `The principal must be more than 0 kr, got ${principal} öre.`, 'principal');
  if (typeof months !== 'number' || !Number.isInteger(months)) return planError('months_not_integer', `The number of months must be a whole number, got ${String(months)}.`, 'months');
  if (months < MIN_PLAN_MONTHS || months > MAX_PLAN_MONTHS) {
    return planError('months_out_of_range', `An installment plan runs ${MIN_PLAN_MONTHS} to ${MAX_PLAN_MONTHS} months, got ${months}.`, 'months');
  }
  if (!isSafeInt(annualInterestBp)) return planError('rate_not_integer', `The annual interest must be whole basis points, got ${String(annualInterestBp)}.`, 'annualInterestBp');
  if (annualInterestBp < 0) return planError('negative_rate', `The annual interest cannot be negative, got ${annualInterestBp} bp.`, 'annualInterestBp');
  if (annualInterestBp > 1_000_000) return planError('out_of_range', `An annual interest of ${annualInterestBp} bp is not a credit offer.`, 'annualInterestBp');
  for (const [field, fee] of [['setupFee', setupFee], ['monthlyFee', monthlyFee]] as const) {
    if (!isSafeInt(fee)) return planError('not_integer', `The ${field} must be a whole number of öre, got ${String(fee)}.`, field);
    if (fee < 0) return planError('negative_fee', `The ${field} cannot be negative, got ${fee} öre.`, field);
  }
  if (!isValidDate(startDate)) return planError('invalid_date', `The start date must be a real date written YYYY-MM-DD, got ${JSON.stringify(startDate)}.`, 'startDate');
  return undefined;
}

/**
 * Annuity schedule. The regular payment is P·r/(1−(1+r)^−n) (P/n at 0 %), rounded to the öre;
 * each month's interest is the balance × r rounded half up in exact integer arithmetic; the last
 * payment takes whatever principal remains, so rounding never leaves or over-collects an öre.
 */
export function buildPlan(input: PlanInput): Result<InstallmentPlan, PlanError> {
  const invalid = validatePlanInput(input);
  if (invalid) return err(invalid);
  const { principal, months, annualInterestBp, setupFee, monthlyFee, startDate } = input;

  const r = annualInterestBp / 120_000;
  const annuity = r === 0 ? principal / months : (principal * r) / (1 - Math.pow(1 + r, -months));
  const regular = Math.round(annuity);

  const payments: InstallmentPayment[] = [];
  let balance = principal;
  for (let n = 1; n <= months; n++) {
    const interest = Number(divRoundHalfUp(BigInt(balance) * BigInt(annualInterestBp), 120_000n));
    // Tiny principals can round the regular payment above what is left: never pay past zero.
    const principalPart = n === months ? balance : Math.min(balance, Math.max(0, regular - interest));
    const fee = monthlyFee + (n === 1 ? setupFee : 0);
    balance -= principalPart;
    const total = principalPart + interest + fee;
    payments.push({ n, dueDate: addMonths(startDate, n), principal: principalPart, interest, fee, total, balanceAfter: balance });
  }
  const totalInterest = payments.reduce((a, p) => a + p.interest, 0);
  const totalFees = payments.reduce((a, p) => a + p.fee, 0);
  const totalPayable = principal + totalInterest + totalFees;
  if (!Number.isSafeInteger(totalPayable)) return err(planError('out_of_range', 'The plan total is too large to be handled exactly.'));

  const rate = effectiveAnnualRate(principal, payments.map((p) => ({ amount: p.total, years: p.n / 12 })));
  return ok({
    payments,
    monthlyAmount: regular + monthlyFee,
    totalInterest,
    totalFees,
    totalCost: totalInterest + totalFees,
    totalPayable,
    effectiveAnnualRate: rate,
    interestFree: rate === 0,
  });
}

/**
 * The annual rate i with credit = Σ amount/(1+i)^years (konsumentkreditlagen 2010:1846; yearly
 * compounding over exact periods). Exactly 0 when the payments sum to the credit; negative when
 * they sum to less. Safeguarded Newton: each Newton step must stay inside a bracket that always
 * contains the root, otherwise the step is a bisection, so it converges for 0 %, tiny and huge
 * rates alike.
 */
export function effectiveAnnualRate(credit: Ore, flows: { amount: Ore; years: number }[]): number {
  if (!isSafeInt(credit) || credit <= 0) {
    throw new DomainContractError('invalid_credit', `The credit amount must be a positive whole number of öre, got ${String(credit)}.`, 'credit');
  }
  if (!Array.isArray(flows) || flows.length === 0) throw new DomainContractError('invalid_flows', 'At least one payment is needed.', 'flows');
  let sum = 0;
  flows.forEach((f, i) => {
    if (!isSafeInt(f?.amount) || f.amount < 0) {
      throw new DomainContractError('invalid_flows', `Payment ${i} must be a whole number of öre ≥ 0, got ${String(f?.amount)}.`, `flows.${i}.amount`);
    }
    if (typeof f.years !== 'number' || !Number.isFinite(f.years) || f.years <= 0) {
      throw new DomainContractError('invalid_flows', `Payment ${i} must fall after the credit (years > 0), got ${String(f?.years)}.`, `flows.${i}.years`);
    }
    sum += f.amount;
  });
  if (sum === 0) throw new DomainContractError('invalid_flows', 'The payments are all zero; no rate repays a credit with nothing.', 'flows');
  if (sum === credit) return 0;

  // f(i) strictly decreases on (−1, ∞) from +∞ to −credit, so the root is unique. Written as
  // (Σ − credit) + Σ amount·((1+i)^−t − 1) with expm1 so rates near 0 keep full precision.
  const excess = sum - credit;
  const f = (i: number) => {
    const l = Math.log1p(i);
    let v = excess;
    for (const { amount, years } of flows) v += amount * Math.expm1(-years * l);
    return v;
  };
  const df = (i: number) => {
    const l = Math.log1p(i);
    let v = 0;
    for (const { amount, years } of flows) v -= years * amount * Math.exp(-(years + 1) * l);
    return v;
  };

  let lo: number;
  let hi: number;
  if (sum > credit) {
    lo = 0;
    hi = 1;
    while (f(hi) > 0 && hi < 1e300) hi *= 2;
  } else {
    hi = 0;
    lo = -0.5;
    while (f(lo) < 0 && 1 + lo > 1e-300) lo = -1 + (1 + lo) / 2;
  }
  let x = (lo + hi) / 2;
  for (let iter = 0; iter < 500; iter++) {
    const fx = f(x);
    if (fx === 0) return x;
    if (fx > 0) lo = x;
    else hi = x;
    const d = df(x);
    let next = x - fx / d;
    if (!(next > lo && next < hi) || !Number.isFinite(next)) next = (lo + hi) / 2;
    if (Math.abs(next - x) <= 1e-15 * Math.max(1, Math.abs(x)) || hi - lo <= 1e-15 * Math.max(1, Math.abs(x))) return next;
    x = next;
  }
  return x;
}

/** The "14 days, free" option: one payment of the principal, no cost, effective rate 0. */
export function invoice14(principal: Ore, issueDate: CalendarDate): { dueDate: CalendarDate; total: Ore; effectiveAnnualRate: 0 } {
  if (!isSafeInt(principal) || principal <= 0) {
    throw new DomainContractError('principal_not_positive', `The invoice amount must be a positive whole number of öre, got ${String(principal)}.`, 'principal');
  }
  return { dueDate: addDays(issueDate, INVOICE_TERM_DAYS), total: principal, effectiveAnnualRate: 0 };
}

/**
 * Räntetak: from 1 March 2025 consumer credit interest may not exceed the reference rate + 20
 * percentage points. The reference rate is a setting (it can be negative, as it was in 2016–2019).
 * `onDate` (default: after the cap took effect) lets historical offers be checked by their date.
 */
export function checkInterestCap(
  annualInterestBp: number,
  referenceRateBp: number,
  onDate: CalendarDate = INTEREST_CAP_FROM,
): Result<{ capBp: number; applies: boolean }, PlanError> {
  if (!isSafeInt(annualInterestBp)) return err(planError('rate_not_integer', `The annual interest must be whole basis points, got ${String(annualInterestBp)}.`, 'annualInterestBp'));
  if (annualInterestBp < 0) return err(planError('negative_rate', `The annual interest cannot be negative, got ${annualInterestBp} bp.`, 'annualInterestBp'));
  if (!isSafeInt(referenceRateBp)) return err(planError('rate_not_integer', `The reference rate must be whole basis points, got ${String(referenceRateBp)}.`, 'referenceRateBp'));
  if (!isValidDate(onDate)) return err(planError('invalid_date', `The date must be a real date written YYYY-MM-DD, got ${JSON.stringify(onDate)}.`, 'onDate'));
  const capBp = referenceRateBp + INTEREST_CAP_MARGIN_BP;
  const applies = compareDates(onDate, INTEREST_CAP_FROM) >= 0;
  if (applies && annualInterestBp > capBp) {
    return err(planError('interest_above_cap', `The interest ${(annualInterestBp / 100).toFixed(2)} % exceeds the legal cap of ${(capBp / 100).toFixed(2)} % (reference rate + 20 percentage points).`, 'annualInterestBp'));
  }
  return ok({ capBp, applies });
}

/** Dröjsmålsränta in basis points for a given reference rate. */
export function lateInterestBp(referenceRateBp: number): number {
  if (!isSafeInt(referenceRateBp)) {
    throw new DomainContractError('rate_not_integer', `The reference rate must be whole basis points, got ${String(referenceRateBp)}.`, 'referenceRateBp');
  }
  return referenceRateBp + LATE_INTEREST_MARGIN_BP;
}
