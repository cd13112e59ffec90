import type { PaymentOption } from '../../../src-shared/schemas/enums';
import { PAYNOVA_DIRECT_INVOICE } from '../../../src-shared/schemas/providers';

/**
 * Paynova Invoice (method 311) product ids by plan length. 3/6/12 are documented; 18 and 24 are
 * contract-specific names (UNSURE) — prefer the productId returned by getPaymentOptions.
 */
export const INSTALLMENT_PRODUCTS: Readonly<Record<number, string>> = {
  3: 'InstallmentsThreeMonths',
  6: 'InstallmentsSixMonths',
  12: 'InstallmentsTwelveMonths',
  18: 'InstallmentsEighteenMonths',
  24: 'InstallmentsTwentyFourMonths',
};

export function productForOption(option: PaymentOption): string | undefined {
  return option.kind === 'invoice14' ? PAYNOVA_DIRECT_INVOICE : INSTALLMENT_PRODUCTS[option.months];
}
