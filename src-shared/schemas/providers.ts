import { z } from 'zod';
import { fromProviderAmount, type Ore } from '../domain/money';
import { BANKID_PROD_URL } from './bankid';
import { Language, SmsStatus, type StatusReason } from './enums';

/**
 * Provider wire shapes and the pure tables that turn provider codes into our domain reasons.
 * Shared so the sync server (webhooks) and the desk (direct calls, polling) map identically.
 * Everything is parsed leniently: numbers may arrive as strings (integrations.md), unknown codes
 * are kept raw and become a generic provider error rather than a crash.
 */

/** A number that may arrive as a JSON number or as a numeric string. */
export const LooseNumber = z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
export const LooseBool = z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False']).transform((v) => v.toLowerCase() === 'true')]);
const LooseString = z.union([z.string(), z.number().transform(String)]);

// ---------------------------------------------------------------------------------------------
// Paynova

export const PaynovaFieldError = z.object({
  errorCode: LooseString.nullish(),
  fieldName: LooseString.nullish(),
  message: LooseString.nullish(),
});

export const PaynovaStatus = z.object({
  isSuccess: LooseBool.optional(),
  errorNumber: LooseNumber,
  statusKey: z.string().nullish(),
  statusMessage: z.string().nullish(),
  errors: z.array(PaynovaFieldError).nullish(),
});
export type PaynovaStatus = z.infer<typeof PaynovaStatus>;

/** Every Paynova response: the envelope plus whatever the operation adds (validated per call). */
export const PaynovaEnvelope = z.looseObject({ status: PaynovaStatus });

export const PaynovaErrorCode = z.enum([
  'paynova.internal_error',
  'paynova.validation',
  'paynova.auth',
  'paynova.merchant_read_only',
  'paynova.credit_check_refused',
  'paynova.customer_profile_not_found',
  'paynova.customer_card_not_found',
  'paynova.order_not_found',
  'paynova.line_items_not_allowed',
  'paynova.finalize_amount_exceeded',
  'paynova.line_items_required',
  'paynova.unknown',
]);
export type PaynovaErrorCode = z.infer<typeof PaynovaErrorCode>;

interface KnownPaynovaError {
  readonly statusKey: string;
  readonly code: PaynovaErrorCode;
  readonly retryable: boolean;
  readonly reason: StatusReason;
}

/** integrations.md "Known numbers". 0 is success (SUCCESS or PENDING) and is not listed. */
export const PAYNOVA_ERRORS: Readonly<Record<number, KnownPaynovaError>> = {
  [-1]: { statusKey: 'INTERNAL_ERROR', code: 'paynova.internal_error', retryable: true, reason: 'provider_unavailable' },
  [-2]: { statusKey: 'VALIDATION_ERROR', code: 'paynova.validation', retryable: false, reason: 'provider_error' },
  [-3]: { statusKey: 'HTTP_###', code: 'paynova.auth', retryable: false, reason: 'provider_error' },
  1000: { statusKey: 'MERCHANT_ACCT_READ_ONLY', code: 'paynova.merchant_read_only', retryable: false, reason: 'provider_error' },
  1001: { statusKey: 'CUST_ACCT_NOT_ELIGIBLE', code: 'paynova.credit_check_refused', retryable: false, reason: 'credit_check_refused' },
  2000: { statusKey: 'CUST_PROF_NOT_FOUND', code: 'paynova.customer_profile_not_found', retryable: false, reason: 'provider_error' },
  2001: { statusKey: 'CUST_CARD_NOT_FOUND', code: 'paynova.customer_card_not_found', retryable: false, reason: 'provider_error' },
  3000: { statusKey: 'ORDER_NOT_FOUND', code: 'paynova.order_not_found', retryable: false, reason: 'provider_error' },
  3001: { statusKey: 'LINE_ITEMS_NOT_ALLOWED', code: 'paynova.line_items_not_allowed', retryable: false, reason: 'provider_error' },
  3002: { statusKey: 'FINALIZE_AMT_EXCEEDED', code: 'paynova.finalize_amount_exceeded', retryable: false, reason: 'provider_error' },
  3003: { statusKey: 'LINE_ITEMS_REQUIRED', code: 'paynova.line_items_required', retryable: false, reason: 'provider_error' },
};

export interface PaynovaFailure {
  readonly code: PaynovaErrorCode;
  readonly message: string;
  readonly retryable: boolean;
  readonly reason: StatusReason;
  /** Kept raw so an unknown number can be looked up later. */
  readonly errorNumber: number;
  readonly statusKey: string | null;
  /** Validation errors: which of OUR fields (Paynova's names) were wrong. */
  readonly fields: readonly { field: string; errorCode: string | null; message: string | null }[];
  readonly field?: string;
}

/** The envelope says success only when errorNumber is 0 (and isSuccess is not explicitly false). */
export function classifyPaynovaStatus(status: PaynovaStatus): PaynovaFailure | null {
  if (status.errorNumber === 0 && status.isSuccess !== false) return null;
  const known = PAYNOVA_ERRORS[status.errorNumber];
  const fields = (status.errors ?? []).map((e) => ({
    field: e.fieldName ?? '(unknown)',
    errorCode: e.errorCode ?? null,
    message: e.message ?? null,
  }));
  const statusKey = status.statusKey ?? null;
  const detail = fields.length ? `: ${fields.map((f) => `${f.field} ${f.errorCode ?? f.message ?? 'invalid'}`).join(', ')}` : '';
  const base = {
    errorNumber: status.errorNumber,
    statusKey,
    fields,
    ...(fields[0] ? { field: fields[0].field } : {}),
  };
  if (known) {
    // -1 with a non-zero errorNumber but isSuccess true never happens; trust the number.
    return {
      ...base,
      code: known.code,
      retryable: known.retryable,
      reason: known.reason,
      message: `Paynova ${statusKey ?? known.statusKey} (${status.errorNumber})${detail}`,
    };
  }
  if (status.errorNumber === 0) {
    // isSuccess false with number 0: malformed, keep it visible rather than treat it as success.
    return { ...base, code: 'paynova.unknown', retryable: false, reason: 'provider_error', message: `Paynova reported failure without an error number (${statusKey ?? 'no statusKey'})` };
  }
  return {
    ...base,
    code: 'paynova.unknown',
    retryable: false,
    reason: 'provider_error',
    message: `Paynova error ${status.errorNumber} ${statusKey ?? ''}${detail}`.trim(),
  };
}

/** Event-hook PAYMENT_STATUS (integrations.md). */
export const PaynovaPaymentStatus = z.enum(['CANCELLED', 'DECLINED', 'ERROR', 'PENDING', 'COMPLETED', 'AUTHORIZED']);
export type PaynovaPaymentStatus = z.infer<typeof PaynovaPaymentStatus>;

/** What a payment event means to us: whether the money is coming, and why not if it is not. */
export type PaymentOutcome = 'authorized' | 'completed' | 'pending' | 'failed' | 'cancelled';

/**
 * PAYMENT_STATUS_REASON → our StatusReason. Paynova documents no reason for insufficient funds: it
 * arrives as DECLINED / DECLINED_BY_PROCESSOR, indistinguishable from a bank decline, and we do not
 * pretend otherwise. INSUFFICIENT_FUNDS is mapped in case a contract or newer API sends it (UNSURE).
 */
export const PAYNOVA_REASON_MAP: Readonly<Record<string, StatusReason>> = {
  NONE: 'none',
  FRAUD_SCREENING: 'fraud_screening',
  BANK_COMMUNICATION_ERROR: 'bank_communication_error',
  BANK_ACCOUNT_VALIDATION: 'declined_by_processor',
  INSUFFICIENT_FUNDS: 'insufficient_funds',
  DECLINED_BY_PROCESSOR: 'declined_by_processor',
  FAILED_AUTHENTICATION: 'authentication_failed',
  AUTHENTICATION_FAILED: 'authentication_failed',
  CANCELLED_BY_CUSTOMER: 'cancelled_by_customer',
  CREDIT_CHECK_FAILED: 'credit_check_refused',
};

const PAYNOVA_STATUS_MAP: Readonly<Record<PaynovaPaymentStatus, PaymentOutcome>> = {
  AUTHORIZED: 'authorized',
  COMPLETED: 'completed',
  PENDING: 'pending',
  DECLINED: 'failed',
  ERROR: 'failed',
  CANCELLED: 'cancelled',
};

export interface MappedPaymentEvent {
  readonly outcome: PaymentOutcome | 'unknown';
  readonly reason: StatusReason;
  /** The raw values, so an unmapped combination is still visible to a person. */
  readonly rawStatus: string;
  readonly rawReason: string | null;
}

/**
 * Maps an event hook's (PAYMENT_STATUS, PAYMENT_STATUS_REASON). A failure without a specific
 * reason still gets one: DECLINED → declined_by_processor, ERROR → provider_error.
 */
export function mapPaynovaPaymentEvent(rawStatus: string, rawReason: string | null | undefined): MappedPaymentEvent {
  const status = PaynovaPaymentStatus.safeParse(rawStatus.trim().toUpperCase());
  const reasonKey = rawReason?.trim().toUpperCase() || 'NONE';
  const mappedReason = PAYNOVA_REASON_MAP[reasonKey];
  const raw = { rawStatus, rawReason: rawReason ?? null };
  if (!status.success) return { ...raw, outcome: 'unknown', reason: mappedReason ?? 'provider_error' };
  const outcome = PAYNOVA_STATUS_MAP[status.data];
  if (outcome === 'failed') {
    const fallback: StatusReason = status.data === 'DECLINED' ? 'declined_by_processor' : 'provider_error';
    return { ...raw, outcome, reason: mappedReason && mappedReason !== 'none' ? mappedReason : fallback };
  }
  if (outcome === 'cancelled') return { ...raw, outcome, reason: mappedReason && mappedReason !== 'none' ? mappedReason : 'cancelled_by_customer' };
  return { ...raw, outcome, reason: mappedReason ?? 'none' };
}

/**
 * An event hook's form fields (application/x-www-form-urlencoded, UPPER_SNAKE). Digest checks
 * (DIGEST and the Pn-Digest header) need the secret key and the raw body: they belong to the
 * receiver (the sync server); this is the shared reading of what the fields mean.
 */
export const PaynovaEventHookForm = z.looseObject({
  EVENT_TYPE: z.string().min(1),
  EVENT_TIMESTAMP: z.string().min(1),
  DELIVERY_TIMESTAMP: z.string().min(1),
  MERCHANT_ID: z.string().min(1),
  DIGEST: z.string().min(1),
  ORDER_ID: z.string().optional(),
  ORDER_NUMBER: z.string().optional(),
  SESSION_ID: z.string().optional(),
  TRANSACTION_ID: z.string().optional(),
  PAYMENT_STATUS: z.string().optional(),
  PAYMENT_STATUS_REASON: z.string().optional(),
  AMOUNT: z.string().optional(),
  CURRENCY_CODE: z.string().optional(),
  SESSION_STATUS: z.string().optional(),
  SESSION_STATUS_REASON: z.string().optional(),
});
export type PaynovaEventHookForm = z.infer<typeof PaynovaEventHookForm>;

export interface PaynovaEvent {
  readonly eventType: string;
  readonly orderId: string | null;
  readonly orderNumber: string | null;
  readonly transactionId: string | null;
  readonly amountOre: Ore | null;
  /** PAYMENT and REFUND events. */
  readonly payment: MappedPaymentEvent | null;
  /** SESSION_END events: EXPIRED, COMPLETED, CANCELLED (raw). */
  readonly sessionStatus: string | null;
}

export function interpretPaynovaEvent(form: PaynovaEventHookForm): PaynovaEvent {
  const amount = form.AMOUNT ? fromProviderAmount(form.AMOUNT) : null;
  return {
    eventType: form.EVENT_TYPE,
    orderId: form.ORDER_ID || null,
    orderNumber: form.ORDER_NUMBER || null,
    transactionId: form.TRANSACTION_ID || null,
    amountOre: amount && amount.ok ? amount.value : null,
    payment: form.PAYMENT_STATUS ? mapPaynovaPaymentEvent(form.PAYMENT_STATUS, form.PAYMENT_STATUS_REASON) : null,
    sessionStatus: form.SESSION_STATUS || null,
  };
}

/** Redirect PAYMENT_n_STATUS ids (integrations.md). */
export const PAYNOVA_REDIRECT_STATUS: Readonly<Record<number, string>> = {
  0: 'Pending', 1: 'Completed', 2: 'Cancelled', 3: 'Failed', 4: 'Authorized', 5: 'PartiallyCompleted', 6: 'Annulled',
};

/** Paynova product ids for method 311 (Paynova Invoice) by term; more terms are contract-specific. */
export const PAYNOVA_INVOICE_METHOD_ID = 311;
export const PAYNOVA_DIRECT_INVOICE = 'DirectInvoice';

/** A fee or rate in the payment-options response: `{label, symbol, value}` with value possibly a string. */
export const PaynovaAmountLabel = z.looseObject({
  label: z.string().nullish(),
  symbol: z.string().nullish(),
  value: z.union([z.number(), z.string()]).nullish(),
});

export const PaynovaPaymentMethod = z.looseObject({
  paymentMethodId: LooseNumber,
  paymentMethodProductId: z.string().nullish(),
  displayName: z.string().nullish(),
  group: z.looseObject({ key: z.string().nullish(), name: z.string().nullish() }).nullish(),
  interestRate: PaynovaAmountLabel.nullish(),
  notificationFee: PaynovaAmountLabel.nullish(),
  setupFee: PaynovaAmountLabel.nullish(),
  numberOfInstallments: LooseNumber.nullish(),
  installmentPeriod: LooseNumber.nullish(),
  installmentUnit: z.string().nullish(),
  legalDocuments: z.array(z.looseObject({ label: z.string().nullish(), uri: z.string().nullish() })).nullish(),
});
export type PaynovaPaymentMethod = z.infer<typeof PaynovaPaymentMethod>;

// ---------------------------------------------------------------------------------------------
// Twilio

/** What a Twilio error code means for the job that hit it. */
export type SmsErrorDisposition = 'opted_out' | 'retryable' | 'permanent';

export const TWILIO_ERRORS: Readonly<Record<number, { disposition: SmsErrorDisposition; label: string }>> = {
  20003: { disposition: 'permanent', label: 'Twilio rejected the credentials' },
  20429: { disposition: 'retryable', label: 'Twilio rate limit' },
  21211: { disposition: 'permanent', label: 'Invalid mobile number' },
  21408: { disposition: 'permanent', label: 'SMS to this region is not enabled' },
  21610: { disposition: 'opted_out', label: 'The patient replied STOP and opted out of SMS' },
  21614: { disposition: 'permanent', label: 'The number is not a mobile number' },
  21617: { disposition: 'permanent', label: 'Message too long' },
  30003: { disposition: 'retryable', label: 'Handset unreachable' },
  30005: { disposition: 'permanent', label: 'Unknown handset' },
  30006: { disposition: 'permanent', label: 'Landline or unreachable carrier' },
  30007: { disposition: 'permanent', label: 'Filtered as spam by the carrier' },
  30008: { disposition: 'retryable', label: 'Unknown delivery error' },
};

export function classifyTwilioError(code: number | null | undefined, httpStatus?: number): { disposition: SmsErrorDisposition; label: string } {
  if (code != null && TWILIO_ERRORS[code]) return TWILIO_ERRORS[code];
  if (httpStatus === 429 || (httpStatus !== undefined && httpStatus >= 500)) return { disposition: 'retryable', label: `Twilio HTTP ${httpStatus}` };
  return { disposition: 'permanent', label: `Twilio error ${code ?? httpStatus ?? 'unknown'}` };
}

/**
 * Delivery lifecycle rank. Callbacks arrive out of order, so a status only ever moves forward,
 * and never away from a terminal one. `read` follows `delivered` (WhatsApp/RCS).
 */
const SMS_RANK: Readonly<Record<SmsStatus, number>> = {
  scheduled: 0,
  queued: 1,
  accepted: 1,
  sending: 2,
  sent: 3,
  receiving: 3,
  received: 4,
  partially_delivered: 4,
  delivered: 5,
  undelivered: 5,
  failed: 5,
  canceled: 5,
  read: 6,
};
export const SMS_TERMINAL: ReadonlySet<SmsStatus> = new Set<SmsStatus>(['delivered', 'undelivered', 'failed', 'canceled', 'read', 'received']);

/** The status to keep when `incoming` arrives while we hold `current`. */
export function advanceSmsStatus(current: SmsStatus | null, incoming: SmsStatus): SmsStatus {
  if (current === null) return incoming;
  if (current === incoming) return current;
  // delivered → read is the only move out of a terminal status.
  if (current === 'delivered' && incoming === 'read') return incoming;
  if (SMS_TERMINAL.has(current)) return current;
  return SMS_RANK[incoming] > SMS_RANK[current] ? incoming : current;
}

export const TwilioMessageResource = z.looseObject({
  sid: z.string(),
  status: z.string(),
  to: z.string().nullish(),
  body: z.string().nullish(),
  errorCode: LooseNumber.nullish(),
  errorMessage: z.string().nullish(),
  dateCreated: z.union([z.date(), z.string()]).nullish(),
  dateSent: z.union([z.date(), z.string()]).nullish(),
  numSegments: LooseNumber.nullish(),
});

/** Twilio status callback form body (the fields we use). */
export const TwilioStatusCallback = z.looseObject({
  MessageSid: z.string(),
  MessageStatus: SmsStatus,
  AccountSid: z.string().optional(),
  ErrorCode: LooseNumber.optional(),
});

export const SmsTemplateKey = z.enum([
  'invoice_issued',
  'payment_received',
  'installment_plan_started',
  'reminder_before_due',
  'overdue',
  'cancelled',
  'credited',
]);
export type SmsTemplateKey = z.infer<typeof SmsTemplateKey>;

/**
 * The placeholders each template may use: money, dates, references and a link, never treatment
 * details (domain.md: no more than needed in an SMS).
 */
export const SMS_PLACEHOLDERS: Readonly<Record<SmsTemplateKey, readonly string[]>> = {
  invoice_issued: ['clinic', 'amount', 'dueDate', 'ocr', 'link'],
  payment_received: ['clinic', 'amount', 'ocr'],
  installment_plan_started: ['clinic', 'months', 'monthlyAmount', 'effectiveRate', 'link'],
  reminder_before_due: ['clinic', 'amount', 'dueDate', 'ocr', 'link'],
  overdue: ['clinic', 'amount', 'dueDate', 'ocr', 'link'],
  cancelled: ['clinic', 'ocr'],
  credited: ['clinic', 'amount', 'ocr'],
};
/** Placeholders without which a template is useless (the patient could not pay). */
export const SMS_REQUIRED_PLACEHOLDERS: Readonly<Partial<Record<SmsTemplateKey, readonly string[]>>> = {
  invoice_issued: ['amount', 'dueDate', 'ocr', 'link'],
  reminder_before_due: ['amount', 'dueDate', 'ocr'],
  overdue: ['amount', 'ocr'],
};

const PLACEHOLDER = /\{(\w+)\}/g;

export function templatePlaceholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

/** A template override's problems: unknown placeholders, missing required ones, stray braces. */
export function validateSmsTemplate(key: SmsTemplateKey, text: string): string[] {
  const problems: string[] = [];
  const used = templatePlaceholders(text);
  const allowed = SMS_PLACEHOLDERS[key];
  for (const p of used) if (!allowed.includes(p)) problems.push(`unknown placeholder {${p}} (allowed: ${allowed.map((a) => `{${a}}`).join(', ')})`);
  for (const p of SMS_REQUIRED_PLACEHOLDERS[key] ?? []) if (!used.includes(p)) problems.push(`missing required placeholder {${p}}`);
  if (/[{}]/.test(text.replace(PLACEHOLDER, ''))) problems.push('unbalanced { or }');
  if (text.length > 1600) problems.push('longer than 1600 characters');
  return problems;
}

const SmsTemplateText = z.string().min(1).max(1600);
const SmsTemplateOverrides = z
  .partialRecord(SmsTemplateKey, z.partialRecord(Language, SmsTemplateText))
  .superRefine((overrides, ctx) => {
    for (const [key, byLang] of Object.entries(overrides)) {
      for (const [lang, text] of Object.entries(byLang ?? {})) {
        if (typeof text !== 'string') continue;
        for (const problem of validateSmsTemplate(key as SmsTemplateKey, text)) {
          ctx.addIssue({ code: 'custom', path: [key, lang], message: problem });
        }
      }
    }
  });

// ---------------------------------------------------------------------------------------------
// geoPlugin

export const GeoPluginResponse = z.looseObject({
  geoplugin_request: z.string().nullish(),
  geoplugin_status: LooseNumber.nullish(),
  geoplugin_countryCode: z.string().nullish(),
  geoplugin_countryName: z.string().nullish(),
});

// ---------------------------------------------------------------------------------------------
// Non-secret settings (src-main/secrets/settings-store). Secrets live in the keychain only.

const HttpUrl = z.url({ protocol: /^https?$/ });

export const ProviderSettings = z.object({
  language: Language.default('sv'),
  paynova: z
    .object({
      baseUrl: HttpUrl.default('https://testapi.paynova.com'),
      timeoutMs: z.number().int().min(500).max(120_000).default(20_000),
      salesChannel: z.string().min(1).max(50).default('clinic-desk'),
      salesLocationId: z.string().max(50).nullable().default(null),
    })
    .prefault({}),
  twilio: z
    .object({
      /** Unset = the SDK's default (api.twilio.com). */
      baseUrl: HttpUrl.nullable().default(null),
      senderId: z.string().max(16).nullable().default(null),
      messagingServiceSid: z.string().regex(/^MG[0-9a-fA-F]{32}$/).nullable().default(null),
      statusCallbackUrl: HttpUrl.nullable().default(null),
      timeoutMs: z.number().int().min(500).max(120_000).default(15_000),
    })
    .prefault({}),
  geoplugin: z
    .object({
      baseUrl: HttpUrl.default('http://www.geoplugin.net'),
      timeoutMs: z.number().int().min(200).max(10_000).default(1500),
      perMinute: z.number().int().min(1).max(100).default(60),
      cacheTtlMs: z.number().int().min(0).default(24 * 3600_000),
    })
    .prefault({}),
  /**
   * BankID RP API (issue 6). The relying-party certificate and its passphrase are keychain secrets
   * (bankid.p12, bankid.passphrase); the CA is public, so it lives here. With no CA there is no
   * BankID login at this desk: the client trusts BankID's server only through this CA.
   */
  bankid: z
    .object({
      baseUrl: HttpUrl.default(BANKID_PROD_URL),
      caPem: z.string().max(20_000).regex(/-----BEGIN CERTIFICATE-----/, 'must be a PEM certificate').nullable().default(null),
      timeoutMs: z.number().int().min(500).max(60_000).default(10_000),
    })
    .prefault({}),
  sms: z.object({ templates: SmsTemplateOverrides.default({}) }).prefault({}),
  polling: z
    .object({
      jobPollMs: z.number().int().min(50).max(600_000).default(2000),
      reconcileIntervalMs: z.number().int().min(1000).max(86_400_000).default(15 * 60_000),
    })
    .prefault({}),
});
export type ProviderSettings = z.infer<typeof ProviderSettings>;
export type ProviderSettingsInput = z.input<typeof ProviderSettings>;
