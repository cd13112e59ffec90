import { z } from 'zod';
import { LooseBool, LooseNumber } from '../../../src-shared/schemas/providers';

/**
 * Operation payloads of Paynova responses (the envelope is checked separately). Lenient: numbers
 * may be strings, amounts stay `unknown` until fromProviderAmount turns them into öre, and extra
 * fields are allowed because Paynova adds them without notice.
 */
const Amount = z.union([z.number(), z.string()]);
const Id = z.union([z.string().min(1), z.number().transform(String)]);

export const CreateOrderResponse = z.looseObject({ orderId: Id });

export const AuthorizeResponse = z.looseObject({
  orderId: Id.nullish(),
  transactionId: Id,
  acquirerId: Id.nullish(),
  acquirerReferenceId: Id.nullish(),
});

export const FinalizeResponse = z.looseObject({
  totalAmountFinalized: Amount.nullish(),
  totalAmountPendingFinalization: Amount.nullish(),
  canFinalizeAgain: LooseBool.nullish(),
  amountRemainingForFinalization: Amount.nullish(),
  transactionId: Id.nullish(),
  batchId: Id.nullish(),
});

export const RefundResponse = z.looseObject({
  totalAmountRefunded: Amount.nullish(),
  canRefundAgain: LooseBool.nullish(),
  amountRemainingForRefund: Amount.nullish(),
  transactionId: Id.nullish(),
});

export const AnnulResponse = z.looseObject({});

/**
 * Order info. integrations.md calls the order state `status`, which collides with the envelope's
 * `status` object (UNSURE): read `orderStatus`, and a string `status` only if one ever appears.
 */
export const OrderInfoResponse = z.looseObject({
  orderId: Id.nullish(),
  orderNumber: Id.nullish(),
  orderStatus: z.string().nullish(),
  status: z.unknown(),
  createdAt: z.string().nullish(),
  totalAmount: Amount.nullish(),
  currencyCode: z.string().nullish(),
  transactions: z
    .array(
      z.looseObject({
        transactionId: Id,
        paymentMethodProductId: z.string().nullish(),
        amount: Amount.nullish(),
        amountFinalized: Amount.nullish(),
        amountAnnulled: Amount.nullish(),
        amountRefunded: Amount.nullish(),
        invoiceId: Id.nullish(),
      }),
    )
    .nullish(),
});

const AddressShape = z.looseObject({
  street1: z.string().nullish(),
  street2: z.string().nullish(),
  street3: z.string().nullish(),
  street4: z.string().nullish(),
  city: z.string().nullish(),
  postalCode: Id.nullish(),
  countryCode: z.string().nullish(),
});

const NameShape = z.looseObject({
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  companyName: z.string().nullish(),
});

/** Address lookup: the exact field set is UNSURE; accept a flat or nested shape. */
export const AddressLookupResponse = z.looseObject({
  governmentId: Id.nullish(),
  name: NameShape.nullish(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  address: AddressShape.nullish(),
  addresses: z.array(z.looseObject({ name: NameShape.nullish(), address: AddressShape.nullish() }).and(AddressShape)).nullish(),
});

export const PaymentOptionsResponse = z.looseObject({
  availablePaymentMethods: z.array(z.unknown()).nullish(),
  totalAmount: Amount.nullish(),
  numberOfInstallments: LooseNumber.nullish(),
});
