import { z } from 'zod';

/** The order/invoice lifecycle (domain.md). pending_sync / pending_provider are NOT statuses. */
export const OrderStatus = z.enum([
  'draft',
  'invoiced',
  'paid',
  'installments',
  'completed',
  'overdue',
  'rejected',
  'cancelled',
  'credited',
]);
export type OrderStatus = z.infer<typeof OrderStatus>;

/**
 * Why a transition happened. Failures keep their reason (the practice-payments seed: insufficient
 * funds, authentication failed, declined by bank/processor), and desk actions carry theirs.
 */
export const StatusReason = z.enum([
  'none',
  // provider / payment outcomes
  'insufficient_funds',
  'authentication_failed',
  'declined_by_processor',
  'bank_communication_error',
  'fraud_screening',
  'credit_check_refused',
  'cancelled_by_customer',
  'provider_unavailable',
  'provider_error',
  // desk actions
  'paid_elsewhere',
  'wrong_invoice',
  'treatment_not_performed',
  'goodwill',
  'duplicate',
  'patient_request',
  'other',
  // lifecycle facts
  'past_due_date',
  'plan_finished',
]);
export type StatusReason = z.infer<typeof StatusReason>;

/**
 * VAT treatment of a line. Dental care that prevents, examines or treats disease is exempt
 * (ML 2023:200 10 kap.); cosmetic treatment is taxed at 25 %. Exempt ≠ zero-rated, so it is a
 * code of its own.
 */
export const VatCode = z.enum(['exempt', 'se25', 'se12', 'se6']);
export type VatCode = z.infer<typeof VatCode>;

/** How the patient pays: the 14-day free invoice, or an installment plan of n months. */
export const InstallmentMonths = z.union([z.literal(3), z.literal(6), z.literal(12), z.literal(18), z.literal(24)]);
export type InstallmentMonths = z.infer<typeof InstallmentMonths>;

export const PaymentOption = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('invoice14') }),
  z.object({ kind: z.literal('installments'), months: z.number().int().min(3).max(24) }),
]);
export type PaymentOption = z.infer<typeof PaymentOption>;

export const Role = z.enum(['staff', 'clinic_admin', 'system_admin']);
export type Role = z.infer<typeof Role>;

export const Language = z.enum(['sv', 'en']);
export type Language = z.infer<typeof Language>;

export const SmsStatus = z.enum([
  'queued', 'accepted', 'scheduled', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'canceled',
  'receiving', 'received', 'read', 'partially_delivered',
]);
export type SmsStatus = z.infer<typeof SmsStatus>;
