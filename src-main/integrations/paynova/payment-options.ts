import { todayIn, type CalendarDate } from '../../../src-shared/domain/dates';
import { buildPlan, effectiveAnnualRate, INVOICE_TERM_DAYS, MAX_PLAN_MONTHS, MIN_PLAN_MONTHS } from '../../../src-shared/domain/installments';
import { fromProviderAmount, type Ore } from '../../../src-shared/domain/money';
import { err, ok, type Result } from '../../../src-shared/domain/result';
import type { PaymentOption, StatusReason } from '../../../src-shared/schemas/enums';
import { PAYNOVA_INVOICE_METHOD_ID, PaynovaPaymentMethod } from '../../../src-shared/schemas/providers';

/**
 * One offer the desk can show the patient: Paynova's product plus what konsumentkreditlagen
 * requires us to state with it (the effective annual rate, fees included), computed by the domain.
 */
export interface PaymentOffer {
  readonly option: PaymentOption;
  readonly paymentMethodId: number;
  readonly productId: string;
  readonly displayName: string;
  readonly setupFeeOre: Ore;
  readonly notificationFeeOre: Ore;
  /** Nominal annual interest, basis points (995 = 9.95 %). */
  readonly annualInterestBp: number;
  /** Effective annual rate as a fraction (0.151 = 15.1 %), fees included. */
  readonly effectiveAnnualRate: number;
  readonly interestFree: boolean;
  /** Regular monthly total for a plan, the invoice total for the 14-day invoice. */
  readonly periodicAmountOre: Ore;
  readonly totalPayableOre: Ore;
  readonly legalDocuments: readonly { label: string; uri: string }[];
}

export interface OffersError {
  readonly code: 'paynova.bad_response';
  readonly message: string;
  readonly retryable: boolean;
  readonly reason: StatusReason;
  readonly maybeDelivered: false;
}

/** "9.95" / 9.95 / "9,95" → 995 bp; SEK fee "29.00" → 2900 öre. Both have two decimals at most. */
function hundredths(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return 0;
  const r = fromProviderAmount(value);
  return r.ok ? r.value : null;
}

/**
 * Keeps only Paynova Invoice (method 311) products: the 14-day invoice and 3–24 month plans.
 * Cards, banks and Swish are not offered at a clinic desk. Unknown products are skipped, not fatal.
 */
export function parsePaymentOptions(methods: readonly unknown[], totalOre: Ore, today: CalendarDate = todayIn()): Result<PaymentOffer[], OffersError> {
  const offers: PaymentOffer[] = [];
  for (const raw of methods) {
    const parsed = PaynovaPaymentMethod.safeParse(raw);
    if (!parsed.success || parsed.data.paymentMethodId !== PAYNOVA_INVOICE_METHOD_ID) continue;
    const m = parsed.data;
    const setupFee = hundredths(m.setupFee?.value);
    const notificationFee = hundredths(m.notificationFee?.value);
    const rateBp = hundredths(m.interestRate?.value);
    if (setupFee === null || notificationFee === null || rateBp === null) {
      return err({ code: 'paynova.bad_response', message: `Paynova payment option ${m.paymentMethodProductId ?? '?'} has an unreadable fee or rate`, retryable: false, reason: 'provider_error', maybeDelivered: false });
    }
    const group = m.group?.key?.toLowerCase() ?? '';
    const unit = m.installmentUnit?.toLowerCase() ?? '';
    const months = m.numberOfInstallments ?? 1;
    const base = {
      paymentMethodId: m.paymentMethodId,
      productId: m.paymentMethodProductId ?? '',
      displayName: m.displayName ?? m.paymentMethodProductId ?? '',
      setupFeeOre: setupFee,
      notificationFeeOre: notificationFee,
      annualInterestBp: rateBp,
      legalDocuments: (m.legalDocuments ?? []).flatMap((d) => (d.uri ? [{ label: d.label ?? d.uri, uri: d.uri }] : [])),
    };
    if (group === 'invoice' || (months <= 1 && unit.startsWith('day'))) {
      const days = m.installmentPeriod ?? INVOICE_TERM_DAYS;
      const total = totalOre + setupFee + notificationFee;
      const ear = total === totalOre ? 0 : effectiveAnnualRate(totalOre, [{ amount: total, years: days / 365 }]);
      offers.push({ ...base, option: { kind: 'invoice14' }, effectiveAnnualRate: ear, interestFree: ear === 0, periodicAmountOre: total, totalPayableOre: total });
      continue;
    }
    if (group === 'installment' || unit.startsWith('month')) {
      if (!Number.isInteger(months) || months < MIN_PLAN_MONTHS || months > MAX_PLAN_MONTHS) continue;
      const plan = buildPlan({ principal: totalOre, months, annualInterestBp: rateBp, setupFee, monthlyFee: notificationFee, startDate: today });
      if (!plan.ok) continue; // e.g. an amount too small for a plan: not an offer
      offers.push({
        ...base,
        option: { kind: 'installments', months },
        effectiveAnnualRate: plan.value.effectiveAnnualRate,
        interestFree: plan.value.interestFree,
        periodicAmountOre: plan.value.monthlyAmount,
        totalPayableOre: plan.value.totalPayable,
      });
    }
  }
  offers.sort((a, b) => monthsOf(a.option) - monthsOf(b.option));
  return ok(offers);
}

function monthsOf(option: PaymentOption): number {
  return option.kind === 'invoice14' ? 0 : option.months;
}

/** The Paynova product for a patient's choice, from the offers Paynova returned. */
export function productFor(offers: readonly PaymentOffer[], option: PaymentOption): string | undefined {
  return offers.find((o) => (o.option.kind === 'invoice14' ? option.kind === 'invoice14' : option.kind === 'installments' && option.months === o.option.months))?.productId;
}
