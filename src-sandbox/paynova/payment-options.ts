import { toProviderAmount } from '../../src-shared/domain/money';
import { PAYNOVA_INVOICE_METHOD_ID } from './schemas';

/** The fees and rates the sandbox offers (a typical Swedish invoice/part-payment price list). */
export const INVOICE_NOTIFICATION_FEE_ORE = 2900;
export const INSTALLMENT_SETUP_FEE_ORE = 19500;
export const INSTALLMENT_NOTIFICATION_FEE_ORE = 2900;
/** Interest-free for short plans, 9.95 % above: what clinics usually offer patients. */
export const INSTALLMENT_INTEREST_PERCENT: Record<number, number> = { 3: 0, 6: 0, 12: 9.95, 18: 9.95, 24: 9.95 };

const PRODUCTS: { months: number; productId: string; label: string }[] = [
  { months: 3, productId: 'InstallmentsThreeMonths', label: 'Delbetala 3 månader' },
  { months: 6, productId: 'InstallmentsSixMonths', label: 'Delbetala 6 månader' },
  { months: 12, productId: 'InstallmentsTwelveMonths', label: 'Delbetala 12 månader' },
  { months: 18, productId: 'InstallmentsEighteenMonths', label: 'Delbetala 18 månader' },
  { months: 24, productId: 'InstallmentsTwentyFourMonths', label: 'Delbetala 24 månader' },
];

const fee = (label: string, ore: number) => ({ label, symbol: 'kr', value: toProviderAmount(ore) });

/** Response body of POST /paymentoptions (without the status envelope). */
export function paymentOptions(baseUrl: string) {
  const invoice = {
    paymentMethodId: PAYNOVA_INVOICE_METHOD_ID,
    paymentMethodProductId: 'DirectInvoice',
    displayName: 'Direkt faktura',
    group: { key: 'invoice', name: 'Faktura' },
    interestRate: { label: 'Ränta', symbol: '%', value: '0.00' },
    notificationFee: fee('Aviavgift', INVOICE_NOTIFICATION_FEE_ORE),
    setupFee: fee('Uppläggningsavgift', 0),
    numberOfInstallments: 1,
    installmentPeriod: 14,
    installmentUnit: 'Days',
    legalDocuments: [{ label: 'Villkor för faktura', uri: `${baseUrl}/legal/invoice-terms.pdf` }],
  };
  const installments = PRODUCTS.map((p) => ({
    paymentMethodId: PAYNOVA_INVOICE_METHOD_ID,
    paymentMethodProductId: p.productId,
    displayName: p.label,
    group: { key: 'installment', name: 'Delbetalning' },
    interestRate: { label: 'Ränta', symbol: '%', value: (INSTALLMENT_INTEREST_PERCENT[p.months] ?? 0).toFixed(2) },
    notificationFee: fee('Aviavgift', INSTALLMENT_NOTIFICATION_FEE_ORE),
    setupFee: fee('Uppläggningsavgift', INSTALLMENT_SETUP_FEE_ORE),
    numberOfInstallments: p.months,
    installmentPeriod: 1,
    installmentUnit: 'Months',
    legalDocuments: [
      { label: 'Villkor för delbetalning', uri: `${baseUrl}/legal/installment-terms.pdf` },
      { label: 'Standardiserad europeisk konsumentkreditinformation (SEKKI)', uri: `${baseUrl}/legal/sekki-${p.months}.pdf` },
    ],
  }));
  const cards = [
    { paymentMethodId: 1, paymentMethodProductId: 'Visa', displayName: 'Visa', group: { key: 'card', name: 'Kort' } },
    { paymentMethodId: 2, paymentMethodProductId: 'MasterCard', displayName: 'MasterCard', group: { key: 'card', name: 'Kort' } },
    { paymentMethodId: 126, paymentMethodProductId: 'Swish', displayName: 'Swish', group: { key: 'mobile', name: 'Swish' } },
  ];
  return { availablePaymentMethods: [invoice, ...installments, ...cards] };
}
