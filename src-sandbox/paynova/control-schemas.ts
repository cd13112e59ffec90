import { z } from 'zod';
import { GovernmentId, InvoiceProduct } from './schemas';

export const MerchantInput = z
  .object({
    merchantId: z.string().min(1).max(50),
    apiPassword: z.string().min(1).max(200),
    secretKey: z.string().min(1).max(200),
    callbackUrl: z.url().optional(),
  })
  .strict();
export type MerchantInput = z.infer<typeof MerchantInput>;

export const WebhookInput = z
  .object({
    /** Defaults to the demo merchant. */
    merchantId: z.string().min(1).max(50).optional(),
    /** null stops event hooks for the merchant. */
    url: z.url().nullable(),
    secretKey: z.string().min(1).max(200).optional(),
  })
  .strict();
export type WebhookInput = z.infer<typeof WebhookInput>;

export const EventHookConfigInput = z
  .object({
    attempts: z.number().int().min(1).max(10).optional(),
    retryIntervalMs: z.number().int().min(0).max(60_000).optional(),
    timeoutMs: z.number().int().min(1).max(60_000).optional(),
  })
  .strict();
export type EventHookConfigInput = z.infer<typeof EventHookConfigInput>;

/** The patient finished the hosted page with a product: authorizes a transaction. */
export const CompleteSessionInput = z.object({ product: InvoiceProduct.default('DirectInvoice') }).strict();
export type CompleteSessionInput = z.input<typeof CompleteSessionInput>;

export const InstallmentsInput = z.object({ months: z.union([z.literal(3), z.literal(6), z.literal(12), z.literal(18), z.literal(24)]) }).strict();
export type InstallmentsInput = z.infer<typeof InstallmentsInput>;

/**
 * How a payment attempt fails, mapped to the event hook's PAYMENT_STATUS / PAYMENT_STATUS_REASON.
 * Paynova has no reason code for insufficient funds, so it arrives exactly like a bank decline;
 * a client cannot tell them apart on the wire (and must not pretend to).
 */
export const FAILURE_MAPPING = {
  insufficient_funds: { status: 'DECLINED', reason: 'DECLINED_BY_PROCESSOR' },
  declined_by_bank: { status: 'DECLINED', reason: 'DECLINED_BY_PROCESSOR' },
  authentication_failed: { status: 'DECLINED', reason: 'FAILED_AUTHENTICATION' },
  bank_communication_error: { status: 'ERROR', reason: 'BANK_COMMUNICATION_ERROR' },
  fraud_screening: { status: 'DECLINED', reason: 'FRAUD_SCREENING' },
  bank_account_validation: { status: 'DECLINED', reason: 'BANK_ACCOUNT_VALIDATION' },
  cancelled_by_customer: { status: 'CANCELLED', reason: 'CANCELLED_BY_CUSTOMER' },
} as const;
export const FailureKind = z.enum(Object.keys(FAILURE_MAPPING) as [keyof typeof FAILURE_MAPPING, ...(keyof typeof FAILURE_MAPPING)[]]);
export type FailureKind = z.infer<typeof FailureKind>;
export const FailPaymentInput = z.object({ reason: FailureKind }).strict();
export type FailPaymentInput = z.infer<typeof FailPaymentInput>;

export const CreditCheckInput = z.object({ governmentId: GovernmentId, outcome: z.enum(['refuse', 'approve']).default('refuse') }).strict();
export type CreditCheckInput = z.input<typeof CreditCheckInput>;

export const CustomerProfileInput = z
  .object({
    profileId: z.string().min(1).max(100),
    cards: z
      .array(
        z.object({
          cardId: z.uuid().optional(),
          firstSix: z.string().regex(/^\d{6}$/).default('424242'),
          lastFour: z.string().regex(/^\d{4}$/).default('4242'),
          expirationMonth: z.number().int().min(1).max(12).default(12),
          expirationYear: z.number().int().min(2000).max(2100).default(2030),
        }),
      )
      .max(20)
      .default([]),
  })
  .strict();
export type CustomerProfileInput = z.input<typeof CustomerProfileInput>;

export const ControlOrderParam = z.object({ orderId: z.string().min(1).max(100) });
