import { z } from 'zod';
import { oreSchema, toProviderAmount, vatOfGross, VAT_RATE_PERCENT, type Ore } from '../../../src-shared/domain/money';
import { err, ok, type Result } from '../../../src-shared/domain/result';
import { VatCode } from '../../../src-shared/schemas/enums';
import { formatZodError } from '../../../src-shared/schemas/errors';

/**
 * Our side of a Paynova detailed order. Amounts are integer öre, VAT-inclusive per line as the
 * patient sees them; the body builder derives Paynova's excluding-tax / tax fields from them.
 */
export const PaynovaLine = z.object({
  id: z.string().min(1).max(50),
  articleNumber: z.string().min(1).max(50),
  name: z.string().min(1).max(100),
  description: z.string().max(250).optional(),
  quantity: z.number().int().min(1),
  /** Line total including VAT, after any discount. */
  grossOre: oreSchema.nonnegative(),
  vatCode: VatCode,
});
export type PaynovaLine = z.infer<typeof PaynovaLine>;

export const PaynovaAddress = z.object({
  street1: z.string().min(1).max(100),
  street2: z.string().max(100).optional(),
  city: z.string().min(1).max(60),
  postalCode: z.string().regex(/^\d{3} ?\d{2}$/, 'must be a Swedish postal code (NNN NN)'),
  countryCode: z.string().length(2).default('SE'),
});

export const CreateOrderInput = z.object({
  /** 4–50 characters, unique per merchant: the idempotency key of the whole flow. */
  orderNumber: z.string().min(4).max(50).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "-" and "_" only'),
  description: z.string().min(1).max(255),
  customer: z.object({
    customerId: z.string().max(50).optional(),
    /** Canonical 12-digit personnummer: invoice and installment products require it. */
    governmentId: z.string().regex(/^\d{12}$/, 'must be the 12-digit personnummer'),
    firstName: z.string().min(1).max(50),
    lastName: z.string().min(1).max(50),
    email: z.email().optional(),
    mobile: z.string().regex(/^\+\d{8,15}$/, 'must be E.164').optional(),
  }),
  billTo: PaynovaAddress.optional(),
  lines: z.array(PaynovaLine).min(1).max(200),
});
export type CreateOrderInput = z.input<typeof CreateOrderInput>;

/** Credit lines for a partial refund (and optional finalize lines) use the same line shape. */
export function lineItemsBody(lines: readonly PaynovaLine[]): Record<string, unknown>[] {
  return lines.map((line) => {
    const tax = vatOfGross(line.grossOre, line.vatCode);
    const net = line.grossOre - tax;
    // Paynova multiplies unit × quantity; when the net does not split into whole öre per unit the
    // line goes as one unit (named "n ×") so no öre is invented or lost.
    const splits = net % line.quantity === 0;
    const quantity = splits ? line.quantity : 1;
    return {
      id: line.id,
      articleNumber: line.articleNumber,
      name: splits ? line.name : `${line.quantity} × ${line.name}`.slice(0, 100),
      description: line.description ?? line.name,
      quantity,
      unitMeasure: 'st',
      unitAmountExcludingTax: toProviderAmount(net / quantity),
      taxPercent: VAT_RATE_PERCENT[line.vatCode],
      totalLineTaxAmount: toProviderAmount(tax),
      totalLineAmount: toProviderAmount(line.grossOre),
      lineItemGroupKey: '_ITEM_',
    };
  });
}

export function sumGross(lines: readonly PaynovaLine[]): Ore {
  return lines.reduce((sum, l) => sum + l.grossOre, 0);
}

export interface BuiltOrder {
  readonly body: Record<string, unknown>;
  readonly totalOre: Ore;
}

/** The detailed create-order body; totalAmount is Σ totalLineAmount by construction. */
export function buildCreateOrderBody(input: CreateOrderInput, salesChannel: string, salesLocationId: string | null): Result<BuiltOrder, { code: 'paynova.invalid_input'; message: string; field?: string }> {
  const parsed = CreateOrderInput.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return err({ code: 'paynova.invalid_input', message: formatZodError(parsed.error), ...(first ? { field: first.path.join('.') } : {}) });
  }
  const o = parsed.data;
  const totalOre = sumGross(o.lines);
  const name = { firstName: o.customer.firstName, lastName: o.customer.lastName };
  const address = o.billTo
    ? { name, address: { street1: o.billTo.street1, ...(o.billTo.street2 ? { street2: o.billTo.street2 } : {}), city: o.billTo.city, postalCode: o.billTo.postalCode.replace(' ', ''), countryCode: o.billTo.countryCode } }
    : undefined;
  const body: Record<string, unknown> = {
    orderNumber: o.orderNumber,
    orderDescription: o.description,
    currencyCode: 'SEK',
    totalAmount: toProviderAmount(totalOre),
    salesChannel,
    ...(salesLocationId ? { salesLocationId } : {}),
    customer: {
      ...(o.customer.customerId ? { customerId: o.customer.customerId } : {}),
      ...(o.customer.email ? { emailAddress: o.customer.email } : {}),
      governmentId: o.customer.governmentId,
      name,
      ...(o.customer.mobile ? { mobileTelephone: o.customer.mobile } : {}),
    },
    ...(address ? { billTo: address, shipTo: address } : {}),
    lineItems: lineItemsBody(o.lines),
  };
  return ok({ body, totalOre });
}
