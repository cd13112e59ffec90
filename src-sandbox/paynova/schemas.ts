import { z } from 'zod';
import { fromProviderAmount } from '../../src-shared/domain/money';
import { isValidGovernmentId } from './government-id';

/**
 * What the simulated Paynova accepts. Unknown keys are ignored (the real API is a lenient .NET
 * service); known keys are checked. Amounts arrive as JSON numbers or decimal strings and become
 * integer öre at once.
 */

/** A non-negative SEK amount with at most two decimals, as integer öre. */
export const AmountOre = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const parsed = typeof value === 'string' && value.includes(',') ? undefined : fromProviderAmount(value);
  if (!parsed || !parsed.ok) {
    ctx.addIssue({ code: 'custom', message: 'must be a decimal amount with at most two decimals and "." as separator' });
    return z.NEVER;
  }
  if (parsed.value < 0) {
    ctx.addIssue({ code: 'custom', message: 'must not be negative' });
    return z.NEVER;
  }
  return parsed.value;
});

export const GovernmentId = z.string().superRefine((value, ctx) => {
  if (!isValidGovernmentId(value)) {
    ctx.addIssue({
      code: 'custom',
      message: 'The government id must be a valid 12-digit Swedish personal identity number (YYYYMMDDNNNC).',
      params: { errorCode: 'GovernmentIdIsInvalid' },
    });
  }
});

const Name = z.object({
  companyName: z.string().max(100).optional(),
  title: z.string().max(30).optional(),
  firstName: z.string().max(100).optional(),
  middleNames: z.string().max(100).optional(),
  lastName: z.string().max(100).optional(),
  suffix: z.string().max(30).optional(),
});

const Address = z.object({
  street1: z.string().min(1).max(100),
  street2: z.string().max(100).optional(),
  street3: z.string().max(100).optional(),
  street4: z.string().max(100).optional(),
  city: z.string().min(1).max(100),
  postalCode: z.string().min(1).max(20),
  regionCode: z.string().max(10).optional(),
  countryCode: z.string().length(3).or(z.string().length(2)),
});

const NameAndAddress = z.object({ name: Name.optional(), address: Address });

export const Customer = z.object({
  customerId: z.string().max(50).optional(),
  emailAddress: z.email().max(254).optional(),
  governmentId: GovernmentId.optional(),
  name: Name.optional(),
  homeTelephone: z.string().max(30).optional(),
  workTelephone: z.string().max(30).optional(),
  mobileTelephone: z.string().max(30).optional(),
});

export const LineItem = z.object({
  id: z.union([z.string().min(1).max(50), z.number().int()]).transform(String),
  articleNumber: z.string().min(1).max(50),
  name: z.string().min(1).max(255),
  description: z.string().max(255).optional(),
  productUrl: z.string().max(500).optional(),
  quantity: z.number().positive(),
  unitMeasure: z.string().min(1).max(20),
  unitAmountExcludingTax: AmountOre,
  taxPercent: z.number().min(0).max(100),
  totalLineTaxAmount: AmountOre,
  totalLineAmount: AmountOre,
  lineItemGroupKey: z.string().max(50).optional(),
});
export type LineItem = z.output<typeof LineItem>;

export const OrderNumber = z.string().min(4).max(50);
const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as SEK');

export const CreateOrderBody = z
  .object({
    orderNumber: OrderNumber,
    orderDescription: z.string().max(255).optional(),
    currencyCode: CurrencyCode,
    totalAmount: AmountOre,
    salesChannel: z.string().max(50).optional(),
    salesLocationId: z.string().max(50).optional(),
    customer: Customer.optional(),
    billTo: NameAndAddress.optional(),
    shipTo: NameAndAddress.optional(),
    lineItems: z.array(LineItem).max(500).optional(),
  })
  .superRefine((order, ctx) => {
    if (!order.lineItems || order.lineItems.length === 0) return;
    const sum = order.lineItems.reduce((acc, line) => acc + line.totalLineAmount, 0);
    if (sum !== order.totalAmount) {
      ctx.addIssue({
        code: 'custom',
        path: ['totalAmount'],
        message: `totalAmount must equal the sum of lineItems[].totalLineAmount (${(sum / 100).toFixed(2)}).`,
        params: { errorCode: 'TotalAmountIsInvalid' },
      });
    }
  });
export type CreateOrderBody = z.output<typeof CreateOrderBody>;

/** The simple create carries everything in the path; a body is optional and path values win. */
export const SimpleCreateParams = z.object({ orderNumber: OrderNumber, totalAmount: AmountOre, currencyCode: CurrencyCode });

export const PAYNOVA_INVOICE_METHOD_ID = 311;
export const InvoiceProduct = z.enum([
  'DirectInvoice',
  'InstallmentsThreeMonths',
  'InstallmentsSixMonths',
  'InstallmentsTwelveMonths',
  'InstallmentsEighteenMonths',
  'InstallmentsTwentyFourMonths',
]);
export type InvoiceProduct = z.infer<typeof InvoiceProduct>;
export const INSTALLMENT_MONTHS: Record<InvoiceProduct, number | undefined> = {
  DirectInvoice: undefined,
  InstallmentsThreeMonths: 3,
  InstallmentsSixMonths: 6,
  InstallmentsTwelveMonths: 12,
  InstallmentsEighteenMonths: 18,
  InstallmentsTwentyFourMonths: 24,
};
export function productForMonths(months: number): InvoiceProduct | undefined {
  return InvoiceProduct.options.find((p) => INSTALLMENT_MONTHS[p] === months);
}

export const AuthorizePaymentBody = z.object({
  authorizationType: z.literal('InvoicePayment'),
  totalAmount: AmountOre,
  paymentMethodId: z.literal(PAYNOVA_INVOICE_METHOD_ID),
  paymentMethodProductId: InvoiceProduct,
  paymentChannelId: z.number().int().min(1).max(7).default(1),
  // Newer docs make this required (UNSURE); the sandbox accepts it without demanding it.
  authenticationSessionId: z.string().max(100).optional(),
});

export const PaymentOptionsBody = z.object({
  totalAmount: AmountOre,
  paymentChannelId: z.number().int().min(1).max(7),
  currencyCode: CurrencyCode,
  countryCode: z.string().regex(/^[A-Z]{2,3}$/).optional(),
  languageCode: z.string().regex(/^[A-Z]{3}$/i).optional(),
});

export const InitializePaymentBody = z.object({
  totalAmount: AmountOre,
  paymentChannelId: z.union([z.literal(1), z.literal(2), z.literal(7)]),
  interfaceOptions: z.object({
    interfaceId: z.literal(5),
    customerLanguageCode: z.enum(['SWE', 'ENG']).optional(),
    urlRedirectSuccess: z.url(),
    urlRedirectCancel: z.url(),
    urlRedirectPending: z.url().optional(),
    urlCallback: z.url().optional(),
  }),
  paymentMethods: z
    .array(z.object({ id: z.number().int().positive(), products: z.array(z.object({ id: z.string().min(1).max(50) })).optional() }))
    .max(50)
    .optional(),
  profilePaymentOptions: z
    .object({ profileId: z.string().min(1).max(100), displaySaveProfileCardOption: z.boolean().optional() })
    .optional(),
});

export const TransactionActionBody = z
  .object({
    invoiceId: z.string().max(50).optional(),
    lineItems: z.array(LineItem).max(500).optional(),
  })
  .optional()
  .transform((body) => body ?? {});

export const OrderIdParam = z.object({ orderId: z.uuid({ message: 'must be a GUID' }) });
export const TransactionParams = z.object({
  orderId: z.uuid({ message: 'must be a GUID' }),
  transactionId: z.string().regex(/^\d{18}$/, 'must be an 18-digit transaction id'),
  amount: AmountOre,
});
