import { z } from 'zod';

/**
 * Swedish BankID Relying Party API v6.0 wire shapes (integrations.md §4), shared by the client in
 * src-main and the simulator in src-sandbox so both read the protocol the same way.
 *
 * Responses are parsed leniently where the API may grow (extra fields pass, unknown hint and error
 * codes stay raw strings): a new hint code from BankID must become a generic message, not a crash.
 * Requests are parsed strictly by the simulator, like the real service answers invalidParameters.
 */

export const BANKID_PROD_URL = 'https://appapi2.bankid.com/rp/v6.0/';
export const BANKID_TEST_URL = 'https://appapi2.test.bankid.com/rp/v6.0/';

export const PENDING_HINT_CODES = ['outstandingTransaction', 'noClient', 'started', 'userMrtd', 'userCallConfirm', 'userSign'] as const;
export const FAILED_HINT_CODES = [
  'expiredTransaction',
  'certificateErr',
  'userCancel',
  'cancelled',
  'startFailed',
  'userDeclinedCall',
  'notSupportedByUserApp',
  'transactionRiskBlocked',
] as const;
export const PendingHintCode = z.enum(PENDING_HINT_CODES);
export type PendingHintCode = z.infer<typeof PendingHintCode>;
export const FailedHintCode = z.enum(FAILED_HINT_CODES);
export type FailedHintCode = z.infer<typeof FailedHintCode>;

/** The errorCode values the API documents, with the HTTP status each comes with. */
export const BANKID_ERROR_STATUS = {
  alreadyInProgress: 400,
  invalidParameters: 400,
  unauthorized: 401,
  notFound: 404,
  methodNotAllowed: 405,
  requestTimeout: 408,
  unsupportedMediaType: 415,
  // UNSURE: the errorCode the live service puts on a 429 is not documented in our reference.
  tooManyRequests: 429,
  internalError: 500,
  maintenance: 503,
} as const;
export type BankIdErrorCode = keyof typeof BANKID_ERROR_STATUS;

// ---------------------------------------------------------------------------------------------
// Requests

/** An IPv4 or IPv6 address as text; the API refuses anything else in endUserIp. */
const IpAddress = z.union([z.ipv4(), z.ipv6()]);
/** 12 digits, YYYYMMDDNNNN: the form BankID requires in requirement.personalNumber. */
export const BankIdPersonalNumber = z.string().regex(/^\d{12}$/, 'must be 12 digits (YYYYMMDDNNNN)');
/** Standard base64 (the API documents base64 of UTF-8 text for userVisibleData). */
const Base64 = z.string().min(1).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64');

export const BankIdRequirement = z
  .object({
    pinCode: z.boolean().optional(),
    mrtd: z.boolean().optional(),
    cardReader: z.enum(['class1', 'class2']).optional(),
    certificatePolicies: z.array(z.string().min(1)).optional(),
    personalNumber: BankIdPersonalNumber.optional(),
    risk: z.enum(['low', 'moderate']).optional(),
  })
  .strict();
export type BankIdRequirement = z.infer<typeof BankIdRequirement>;

export const BankIdAuthRequest = z
  .object({
    endUserIp: IpAddress,
    requirement: BankIdRequirement.optional(),
    // Limits are on the base64 text (UNSURE for /auth: documented as 1 500, /sign as 40 000).
    userVisibleData: Base64.max(1500).optional(),
    userNonVisibleData: Base64.max(200_000).optional(),
    userVisibleDataFormat: z.literal('simpleMarkdownV1').optional(),
    returnUrl: z.string().url().optional(),
    returnRisk: z.boolean().optional(),
  })
  .strict();
export type BankIdAuthRequest = z.infer<typeof BankIdAuthRequest>;

/** /sign is /auth with the text to sign required. */
export const BankIdSignRequest = BankIdAuthRequest.extend({ userVisibleData: Base64.max(40_000) }).strict();
export type BankIdSignRequest = z.infer<typeof BankIdSignRequest>;

export const BankIdOrderRefRequest = z.object({ orderRef: z.string().min(1).max(100) }).strict();

// ---------------------------------------------------------------------------------------------
// Responses

export const BankIdOrderResponse = z.looseObject({
  orderRef: z.string().min(1),
  autoStartToken: z.string().min(1),
  qrStartToken: z.string().min(1),
  qrStartSecret: z.string().min(1),
});
export type BankIdOrderResponse = z.infer<typeof BankIdOrderResponse>;

export const BankIdCompletionData = z.looseObject({
  user: z.looseObject({
    personalNumber: BankIdPersonalNumber,
    name: z.string(),
    givenName: z.string(),
    surname: z.string(),
  }),
  device: z.looseObject({ ipAddress: z.string(), uhi: z.string().optional() }),
  bankIdIssueDate: z.string().optional(),
  stepUp: z.looseObject({ mrtd: z.boolean().optional() }).optional(),
  signature: z.string(),
  ocspResponse: z.string(),
  /** Only with returnRisk; kept as text so a new level does not break login. */
  risk: z.string().optional(),
});
export type BankIdCompletionData = z.infer<typeof BankIdCompletionData>;

export const BankIdCollectResponse = z.discriminatedUnion('status', [
  z.looseObject({ orderRef: z.string().min(1), status: z.literal('pending'), hintCode: z.string().optional() }),
  // A failed order always names why; an absent hintCode is treated as an unknown one by callers.
  z.looseObject({ orderRef: z.string().min(1), status: z.literal('failed'), hintCode: z.string().optional() }),
  z.looseObject({ orderRef: z.string().min(1), status: z.literal('complete'), completionData: BankIdCompletionData }),
]);
export type BankIdCollectResponse = z.infer<typeof BankIdCollectResponse>;

/** /cancel answers {}: an object, whatever it may grow. */
export const BankIdCancelResponse = z.looseObject({});

export const BankIdErrorResponse = z.looseObject({ errorCode: z.string().min(1), details: z.string().optional() });
export type BankIdErrorResponse = z.infer<typeof BankIdErrorResponse>;

// ---------------------------------------------------------------------------------------------
// What the login flow shows the renderer. No qrStartSecret, no orderRef, no completion data:
// the renderer is untrusted and only needs something to draw and something to read.

export const BankIdFlowStatus = z.enum(['pending', 'complete', 'failed']);
export const BankIdFlowUpdate = z
  .object({
    status: BankIdFlowStatus,
    /** The animated QR payload, bankid.{qrStartToken}.{qrTime}.{qrAuthCode}; null once ended. */
    qrText: z.string().nullable(),
    /** bankid:///?autostarttoken=…&redirect=null, for "BankID on this computer". */
    autoStartUrl: z.string().nullable(),
    hintCode: z.string().nullable(),
    /** BankID's recommended user message id (RFA1…), null where BankID recommends none we know. */
    rfa: z.string().nullable(),
    message: z.string(),
  })
  .strict();
export type BankIdFlowUpdate = z.infer<typeof BankIdFlowUpdate>;
