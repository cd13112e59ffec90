import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  REMINDER_FEE_MAX,
  buildPlan,
  checkInterestCap,
  effectiveAnnualRate,
  invoice14,
  lateInterestBp,
  type InstallmentPlan,
  type PlanInput,
} from '../../../src-shared/domain/installments';
import { DomainContractError } from '../../../src-shared/domain/result';

const base: PlanInput = { principal: 1_000_000, months: 12, annualInterestBp: 0, setupFee: 0, monthlyFee: 0, startDate: '2025-01-31' };

function plan(overrides: Partial<PlanInput>): InstallmentPlan {
  const r = buildPlan({ ...base, ...overrides });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('buildPlan', () => {
  it('a zero-interest plan without fees costs nothing and is interest free', () => {
    const p = plan({});
    expect(p.effectiveAnnualRate).toBe(0);
    expect(p.interestFree).toBe(true);
    expect(p.totalCost).toBe(0);
    expect(p.totalPayable).toBe(1_000_000);
    expect(p.monthlyAmount).toBe(83_333);
    expect(p.payments.map((x) => x.total)).toEqual([...Array(11).fill(83_333), 83_337]);
  });

  it('the last payment absorbs the rounding residue', () => {
    const p = plan({ months: 3 });
    expect(p.payments.map((x) => x.principal)).toEqual([333_333, 333_333, 333_334]);
    expect(p.payments.map((x) => x.balanceAfter)).toEqual([666_667, 333_334, 0]);
    const q = plan({ principal: 1_000_001, months: 6, annualInterestBp: 1495 });
    const last = q.payments.at(-1)!;
    expect(last.balanceAfter).toBe(0);
    expect(last.principal + last.interest).not.toBe(q.monthlyAmount); // the residue lands here
    expect(Math.abs(last.principal + last.interest - q.monthlyAmount)).toBeLessThanOrEqual(6);
  });

  it('domain.md: 10 000 kr, 0 %, 295 kr setup, 39 kr/month, 12 months ≈ 15.1 % effective', () => {
    const p = plan({ setupFee: 29_500, monthlyFee: 3_900 });
    expect(Math.round(p.effectiveAnnualRate * 1000) / 10).toBe(15.1);
    expect(p.interestFree).toBe(false);
    expect(p.totalInterest).toBe(0);
    expect(p.totalFees).toBe(29_500 + 12 * 3_900);
    expect(p.totalCost).toBe(p.totalFees);
    expect(p.totalPayable).toBe(1_076_300);
    expect(p.monthlyAmount).toBe(83_333 + 3_900);
    expect(p.payments[0]).toEqual({ n: 1, dueDate: '2025-02-28', principal: 83_333, interest: 0, fee: 33_400, total: 116_733, balanceAfter: 916_667 });
    expect(p.payments.slice(1).every((x) => x.fee === 3_900)).toBe(true);
  });

  it('domain.md: the same over 24 months ≈ 12.4 % effective', () => {
    const p = plan({ months: 24, setupFee: 29_500, monthlyFee: 3_900 });
    expect(Math.round(p.effectiveAnnualRate * 1000) / 10).toBe(12.4);
    expect(p.payments).toHaveLength(24);
  });

  it('computes annuity interest on the falling balance', () => {
    const p = plan({ annualInterestBp: 1200 }); // 1 % a month
    // P·r/(1−(1+r)^−n) = 1 000 000 × 0.01 / (1 − 1.01^−12) = 88 848.79 öre
    expect(p.monthlyAmount).toBe(88_849);
    expect(p.payments[0]).toMatchObject({ interest: 10_000, principal: 78_849, balanceAfter: 921_151 });
    expect(p.payments[1]).toMatchObject({ interest: 9_212 }); // 9 211.51 rounded half up
    // 1 % a month compounds to 12.68 % a year
    expect(p.effectiveAnnualRate).toBeCloseTo(0.1268, 3);
    expect(p.interestFree).toBe(false);
  });

  it('dates each payment n months after the start, clamped to month ends', () => {
    const p = plan({ months: 3, startDate: '2024-11-30' });
    expect(p.payments.map((x) => x.dueDate)).toEqual(['2024-12-30', '2025-01-30', '2025-02-28']);
  });

  it('never pays past zero when the principal is tiny', () => {
    const p = plan({ principal: 7, months: 12 });
    expect(p.payments.every((x) => x.principal >= 0 && x.balanceAfter >= 0)).toBe(true);
    expect(p.payments.reduce((a, x) => a + x.principal, 0)).toBe(7);
  });

  it.each([
    [{ principal: 0 }, 'principal_not_positive', 'principal'],
    [{ principal: -100 }, 'principal_not_positive', 'principal'],
    [{ principal: 100.5 }, 'not_integer', 'principal'],
    [{ months: 2 }, 'months_out_of_range', 'months'],
    [{ months: 25 }, 'months_out_of_range', 'months'],
    [{ months: 6.5 }, 'months_not_integer', 'months'],
    [{ months: Number.NaN }, 'months_not_integer', 'months'],
    [{ annualInterestBp: -1 }, 'negative_rate', 'annualInterestBp'],
    [{ annualInterestBp: 12.5 }, 'rate_not_integer', 'annualInterestBp'],
    [{ annualInterestBp: 2_000_000 }, 'out_of_range', 'annualInterestBp'],
    [{ setupFee: -1 }, 'negative_fee', 'setupFee'],
    [{ monthlyFee: -1 }, 'negative_fee', 'monthlyFee'],
    [{ monthlyFee: 39.5 }, 'not_integer', 'monthlyFee'],
    [{ startDate: '2025-02-30' }, 'invalid_date', 'startDate'],
    [{ principal: Number.MAX_SAFE_INTEGER, annualInterestBp: 2000 }, 'out_of_range', undefined],
  ])('rejects %j with %s', (overrides, code, field) => {
    const r = buildPlan({ ...base, ...overrides });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.field).toBe(field);
    }
  });

  it('rejects a missing input object', () => {
    const r = buildPlan(null as unknown as PlanInput);
    expect(r.ok).toBe(false);
  });

  const planInput = fc.record({
    principal: fc.integer({ min: 1, max: 50_000_000 }),
    months: fc.integer({ min: 3, max: 24 }),
    annualInterestBp: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3000 })),
    setupFee: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50_000 })),
    monthlyFee: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5_000 })),
    startDate: fc.constantFrom('2025-01-31', '2025-06-15', '2024-02-29'),
  });

  it('property: principal parts sum to the principal and totals to principal + costs', () => {
    fc.assert(
      fc.property(planInput, (input) => {
        const r = buildPlan(input);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const p = r.value;
        const sum = (f: (x: (typeof p.payments)[number]) => number) => p.payments.reduce((a, x) => a + f(x), 0);
        expect(p.payments).toHaveLength(input.months);
        expect(sum((x) => x.principal)).toBe(input.principal);
        expect(sum((x) => x.interest)).toBe(p.totalInterest);
        expect(sum((x) => x.fee)).toBe(p.totalFees);
        expect(p.totalFees).toBe(input.setupFee + input.months * input.monthlyFee);
        expect(p.totalCost).toBe(p.totalInterest + p.totalFees);
        expect(sum((x) => x.total)).toBe(input.principal + p.totalCost);
        expect(p.totalPayable).toBe(input.principal + p.totalCost);
        expect(p.payments.at(-1)?.balanceAfter).toBe(0);
        for (const x of p.payments) {
          expect(x.total).toBe(x.principal + x.interest + x.fee);
          expect(x.principal).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('property: the effective rate is 0 exactly when there are no fees and no interest', () => {
    fc.assert(
      fc.property(planInput, (input) => {
        const r = buildPlan(input);
        if (!r.ok) throw new Error(r.error.message);
        const free = r.value.totalCost === 0;
        expect(r.value.effectiveAnnualRate === 0).toBe(free);
        expect(r.value.interestFree).toBe(free);
        if (!free) expect(r.value.effectiveAnnualRate).toBeGreaterThan(0);
        if (input.setupFee === 0 && input.monthlyFee === 0 && input.annualInterestBp === 0) expect(r.value.effectiveAnnualRate).toBe(0);
      }),
    );
  });

  it('property: the effective rate discounts the schedule back to the principal', () => {
    fc.assert(
      fc.property(planInput, (input) => {
        const r = buildPlan(input);
        if (!r.ok) throw new Error(r.error.message);
        const i = r.value.effectiveAnnualRate;
        const pv = r.value.payments.reduce((a, x) => a + x.total / (1 + i) ** (x.n / 12), 0);
        expect(Math.abs(pv - input.principal)).toBeLessThan(1e-6 * input.principal + 1e-6);
      }),
    );
  });
});

describe('effectiveAnnualRate', () => {
  it('solves simple cases exactly', () => {
    expect(effectiveAnnualRate(10_000, [{ amount: 11_000, years: 1 }])).toBeCloseTo(0.1, 12);
    expect(effectiveAnnualRate(10_000, [{ amount: 20_000, years: 1 }])).toBeCloseTo(1, 12);
    expect(effectiveAnnualRate(10_000, [{ amount: 12_100, years: 2 }])).toBeCloseTo(0.1, 12);
    expect(effectiveAnnualRate(10_000, [{ amount: 10_000, years: 1 }])).toBe(0);
    expect(effectiveAnnualRate(10_000, [{ amount: 9_000, years: 1 }])).toBeCloseTo(-0.1, 12);
  });

  it('handles tiny and huge rates', () => {
    const tiny = effectiveAnnualRate(1_000_000_000_000, [{ amount: 1_000_000_000_001, years: 1 }]);
    expect(tiny).toBeGreaterThan(0);
    expect(tiny).toBeCloseTo(1e-12, 20);
    const huge = effectiveAnnualRate(100, [{ amount: 1_000_000, years: 1 / 12 }]);
    expect(huge).toBeGreaterThan(1e47);
    expect(Number.isFinite(huge)).toBe(true);
    expect(Math.log10(1 + huge)).toBeCloseTo(48, 6); // (10^4)^12
    const nearMinusOne = effectiveAnnualRate(1_000_000, [{ amount: 1, years: 1 }]);
    expect(nearMinusOne).toBeCloseTo(-0.999999, 9);
  });

  it('rejects bad input with a typed error', () => {
    const bad: [number, { amount: number; years: number }[]][] = [
      [0, [{ amount: 1, years: 1 }]],
      [1.5, [{ amount: 1, years: 1 }]],
      [100, []],
      [100, [{ amount: -1, years: 1 }]],
      [100, [{ amount: 1.5, years: 1 }]],
      [100, [{ amount: 100, years: 0 }]],
      [100, [{ amount: 100, years: Number.NaN }]],
      [100, [{ amount: 0, years: 1 }]],
      [100, null as unknown as []],
    ];
    for (const [credit, flows] of bad) expect(() => effectiveAnnualRate(credit, flows)).toThrow(DomainContractError);
  });
});

describe('invoice14, caps and fees', () => {
  it('the 14-day invoice is free', () => {
    expect(invoice14(150_000, '2025-12-25')).toEqual({ dueDate: '2026-01-08', total: 150_000, effectiveAnnualRate: 0 });
    expect(() => invoice14(0, '2025-12-25')).toThrow(DomainContractError);
    expect(() => invoice14(1.5, '2025-12-25')).toThrow(DomainContractError);
    expect(() => invoice14(100, '2025-13-25')).toThrow(DomainContractError);
  });

  it('caps interest at the reference rate + 20 percentage points from 1 March 2025', () => {
    expect(checkInterestCap(2400, 400)).toEqual({ ok: true, value: { capBp: 2400, applies: true } });
    const over = checkInterestCap(2401, 400);
    expect(over.ok).toBe(false);
    if (!over.ok) {
      expect(over.error.code).toBe('interest_above_cap');
      expect(over.error.message).toMatch(/24\.01 %.*24\.00 %/);
    }
    expect(checkInterestCap(2401, 400, '2025-02-28')).toEqual({ ok: true, value: { capBp: 2400, applies: false } });
    expect(checkInterestCap(1950, -50, '2025-03-01')).toEqual({ ok: true, value: { capBp: 1950, applies: true } });
    expect(checkInterestCap(1951, -50).ok).toBe(false);
  });

  it.each([
    [12.5, 400, undefined, 'rate_not_integer'],
    [-1, 400, undefined, 'negative_rate'],
    [1000, 4.5, undefined, 'rate_not_integer'],
    [1000, 400, '2025-02-30', 'invalid_date'],
  ])('checkInterestCap(%j, %j, %j) → %s', (rate, ref, date, code) => {
    const r = checkInterestCap(rate, ref, date);
    expect(r.ok ? undefined : r.error.code).toBe(code);
  });

  it('late interest is the reference rate + 8 points; reminder fee at most 60 kr', () => {
    expect(lateInterestBp(400)).toBe(1200);
    expect(lateInterestBp(-25)).toBe(775);
    expect(() => lateInterestBp(Number.NaN)).toThrow(DomainContractError);
    expect(REMINDER_FEE_MAX).toBe(6000);
  });
});
