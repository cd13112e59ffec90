import axios, { type AxiosInstance } from 'axios';
import type { z } from 'zod';
import { fromProviderAmount, toProviderAmount, type Ore } from '../../../src-shared/domain/money';
import { err, ok, type Result } from '../../../src-shared/domain/result';
import type { StatusReason } from '../../../src-shared/schemas/enums';
import { formatZodError } from '../../../src-shared/schemas/errors';
import {
  classifyPaynovaStatus,
  PaynovaEnvelope,
  PAYNOVA_DIRECT_INVOICE,
  PAYNOVA_INVOICE_METHOD_ID,
  type PaynovaFailure,
} from '../../../src-shared/schemas/providers';
import { transportFailure } from '../http-errors';
import type { ProviderCallListener } from '../provider-call';
import { buildCreateOrderBody, lineItemsBody, PaynovaLine, type CreateOrderInput } from './order-body';
import { parsePaymentOptions, type PaymentOffer } from './payment-options';
import {
  AddressLookupResponse,
  AnnulResponse,
  AuthorizeResponse,
  CreateOrderResponse,
  FinalizeResponse,
  OrderInfoResponse,
  PaymentOptionsResponse,
  RefundResponse,
} from './wire';

export interface PaynovaCredentials {
  readonly merchantId: string;
  readonly apiPassword: string;
}

export interface PaynovaClientOptions {
  readonly baseUrl: string;
  /** Every call has a timeout: a hung PSP must not hang a job forever. */
  readonly timeoutMs: number;
  /** Read per call so a credential change in the keychain applies without a restart. */
  readonly credentials: () => Promise<PaynovaCredentials>;
  readonly salesChannel?: string;
  readonly salesLocationId?: string | null;
  readonly onCall?: ProviderCallListener;
}

/** A failure that happened before Paynova's envelope could be read. */
export interface PaynovaTransportError {
  readonly code: 'paynova.transport' | 'paynova.http' | 'paynova.bad_response' | 'paynova.invalid_input' | 'paynova.no_credentials';
  readonly message: string;
  readonly retryable: boolean;
  readonly reason: StatusReason;
  /** True when Paynova may have acted on the request although we saw no answer. */
  readonly maybeDelivered: boolean;
  readonly httpStatus?: number;
  readonly field?: string;
}

export type PaynovaError = (PaynovaFailure & { readonly maybeDelivered: false; readonly httpStatus?: number }) | PaynovaTransportError;
export type PaynovaResult<T> = Result<T, PaynovaError>;

export interface AuthorizeInput {
  readonly orderId: string;
  readonly totalOre: Ore;
  /** "DirectInvoice" or an installment product id from getPaymentOptions. */
  readonly productId: string;
  readonly authenticationSessionId?: string;
}

export interface Authorization {
  readonly transactionId: string;
  readonly acquirerId: string | null;
  readonly acquirerReferenceId: string | null;
}

export interface FinalizeOutcome {
  readonly totalAmountFinalized: Ore | null;
  readonly amountRemainingForFinalization: Ore | null;
  readonly canFinalizeAgain: boolean | null;
  readonly batchId: string | null;
}

export interface RefundOutcome {
  readonly totalAmountRefunded: Ore | null;
  readonly amountRemainingForRefund: Ore | null;
  readonly canRefundAgain: boolean | null;
}

export interface OrderInfo {
  readonly orderId: string | null;
  readonly orderNumber: string | null;
  /** e.g. "Open": says nothing about whether the patient has paid (integrations.md). */
  readonly status: string | null;
  readonly createdAt: string | null;
  readonly totalOre: Ore | null;
  readonly transactions: readonly OrderTransaction[];
}

export interface OrderTransaction {
  readonly transactionId: string;
  readonly productId: string | null;
  readonly amountOre: Ore | null;
  readonly finalizedOre: Ore;
  readonly annulledOre: Ore;
  readonly refundedOre: Ore;
  readonly invoiceId: string | null;
}

export interface AddressLookup {
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly street1: string | null;
  readonly postalCode: string | null;
  readonly city: string | null;
  readonly countryCode: string | null;
}

const jsonHeaders = { Accept: 'application/json', 'Content-Type': 'application/json' };

/** Paynova Aero REST client: every response is parsed and mapped to a typed result. */
export class PaynovaClient {
  private readonly http: AxiosInstance;

  constructor(private readonly options: PaynovaClientOptions) {
    this.http = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ''),
      timeout: options.timeoutMs,
      headers: jsonHeaders,
      // Paynova answers errors as 200 + envelope, 401 with an envelope: read every status ourselves.
      validateStatus: () => true,
      // Never follow a redirect with our Basic credentials.
      maxRedirects: 0,
      transitional: { clarifyTimeoutError: true },
    });
  }

  async createOrder(input: CreateOrderInput): Promise<PaynovaResult<{ orderId: string; totalOre: Ore }>> {
    const built = buildCreateOrderBody(input, this.options.salesChannel ?? 'clinic-desk', this.options.salesLocationId ?? null);
    if (!built.ok) return err({ ...built.error, retryable: false, reason: 'provider_error', maybeDelivered: false });
    const r = await this.call('createOrder', `order-number:${input.orderNumber}`, 'post', '/orders/create', built.value.body, CreateOrderResponse);
    return r.ok ? ok({ orderId: r.value.orderId, totalOre: built.value.totalOre }) : r;
  }

  async getPaymentOptions(totalOre: Ore, language: 'sv' | 'en' = 'sv'): Promise<PaynovaResult<PaymentOffer[]>> {
    const body = {
      totalAmount: toProviderAmount(totalOre),
      paymentChannelId: 1,
      currencyCode: 'SEK',
      countryCode: 'SE',
      languageCode: language === 'sv' ? 'SWE' : 'ENG',
    };
    const r = await this.call('getPaymentOptions', null, 'post', '/paymentoptions', body, PaymentOptionsResponse);
    if (!r.ok) return r;
    return parsePaymentOptions(r.value.availablePaymentMethods ?? [], totalOre);
  }

  async authorizePayment(input: AuthorizeInput): Promise<PaynovaResult<Authorization>> {
    const body = {
      authorizationType: 'InvoicePayment',
      totalAmount: toProviderAmount(input.totalOre),
      paymentMethodId: PAYNOVA_INVOICE_METHOD_ID,
      paymentMethodProductId: input.productId || PAYNOVA_DIRECT_INVOICE,
      paymentChannelId: 1,
      ...(input.authenticationSessionId ? { authenticationSessionId: input.authenticationSessionId } : {}),
    };
    const r = await this.call('authorizePayment', `paynova-order:${input.orderId}`, 'post', `/orders/${enc(input.orderId)}/authorizePayment`, body, AuthorizeResponse);
    if (!r.ok) return r;
    return ok({ transactionId: r.value.transactionId, acquirerId: r.value.acquirerId ?? null, acquirerReferenceId: r.value.acquirerReferenceId ?? null });
  }

  /** Activates the invoice / plan; Paynova sends the first invoice, printed with our number. */
  async finalize(orderId: string, transactionId: string, amountOre: Ore, invoiceId: string): Promise<PaynovaResult<FinalizeOutcome>> {
    const path = `/orders/${enc(orderId)}/transactions/${enc(transactionId)}/finalize/${toProviderAmount(amountOre)}`;
    const r = await this.call('finalize', `paynova-order:${orderId}`, 'post', path, { invoiceId }, FinalizeResponse);
    if (!r.ok) return r;
    return ok({
      totalAmountFinalized: amountOrNull(r.value.totalAmountFinalized),
      amountRemainingForFinalization: amountOrNull(r.value.amountRemainingForFinalization),
      canFinalizeAgain: r.value.canFinalizeAgain ?? null,
      batchId: r.value.batchId ?? null,
    });
  }

  /** Voids an authorization before finalize: nothing reaches the patient. */
  async annul(orderId: string, transactionId: string, amountOre: Ore): Promise<PaynovaResult<Record<string, never>>> {
    const path = `/orders/${enc(orderId)}/transactions/${enc(transactionId)}/annul/${toProviderAmount(amountOre)}`;
    const r = await this.call('annul', `paynova-order:${orderId}`, 'post', path, {}, AnnulResponse);
    return r.ok ? ok({}) : r;
  }

  /** After finalize only. A partial refund must name the credited lines (Paynova requires them). */
  async refund(orderId: string, transactionId: string, amountOre: Ore, creditLines?: readonly PaynovaLine[]): Promise<PaynovaResult<RefundOutcome>> {
    let body: Record<string, unknown> = {};
    if (creditLines && creditLines.length) {
      const lines = creditLines.map((l) => PaynovaLine.parse(l));
      const sum = lines.reduce((s, l) => s + l.grossOre, 0);
      if (sum !== amountOre) {
        return err({ code: 'paynova.invalid_input', message: `The credit lines add up to ${sum} öre, not the refund amount ${amountOre} öre`, field: 'lineItems', retryable: false, reason: 'provider_error', maybeDelivered: false });
      }
      body = { lineItems: lineItemsBody(lines) };
    }
    const path = `/orders/${enc(orderId)}/transactions/${enc(transactionId)}/refund/${toProviderAmount(amountOre)}`;
    const r = await this.call('refund', `paynova-order:${orderId}`, 'post', path, body, RefundResponse);
    if (!r.ok) return r;
    return ok({
      totalAmountRefunded: amountOrNull(r.value.totalAmountRefunded),
      amountRemainingForRefund: amountOrNull(r.value.amountRemainingForRefund),
      canRefundAgain: r.value.canRefundAgain ?? null,
    });
  }

  async getOrderInfo(orderId: string): Promise<PaynovaResult<OrderInfo>> {
    const r = await this.call('getOrderInfo', `paynova-order:${orderId}`, 'get', `/orders/${enc(orderId)}/info`, undefined, OrderInfoResponse);
    if (!r.ok) return r;
    const v = r.value;
    return ok({
      orderId: v.orderId ?? null,
      orderNumber: v.orderNumber ?? null,
      status: v.orderStatus ?? (typeof v.status === 'string' ? v.status : null),
      createdAt: v.createdAt ?? null,
      totalOre: amountOrNull(v.totalAmount),
      transactions: (v.transactions ?? []).map((t) => ({
        transactionId: t.transactionId,
        productId: t.paymentMethodProductId ?? null,
        amountOre: amountOrNull(t.amount),
        finalizedOre: amountOrNull(t.amountFinalized) ?? 0,
        annulledOre: amountOrNull(t.amountAnnulled) ?? 0,
        refundedOre: amountOrNull(t.amountRefunded) ?? 0,
        invoiceId: t.invoiceId ?? null,
      })),
    });
  }

  /** Registered address for a personnummer (12 digits), to prefill the patient form. */
  async lookupAddress(governmentId: string): Promise<PaynovaResult<AddressLookup>> {
    if (!/^\d{12}$/.test(governmentId)) {
      return err({ code: 'paynova.invalid_input', message: 'The personnummer must be 12 digits', field: 'governmentId', retryable: false, reason: 'provider_error', maybeDelivered: false });
    }
    // The subject is deliberately not the personnummer: activity records carry no identity numbers.
    const r = await this.call('lookupAddress', null, 'get', `/addresses/SE/${governmentId}`, undefined, AddressLookupResponse);
    if (!r.ok) return r;
    const v = r.value;
    const first = v.addresses?.[0];
    const address = v.address ?? first?.address ?? first ?? null;
    const name = v.name ?? first?.name ?? null;
    return ok({
      firstName: name?.firstName ?? v.firstName ?? null,
      lastName: name?.lastName ?? v.lastName ?? null,
      street1: address?.street1 ?? null,
      postalCode: address?.postalCode ?? null,
      city: address?.city ?? null,
      countryCode: address?.countryCode ?? null,
    });
  }

  private async call<S extends z.ZodType>(
    operation: string,
    subject: string | null,
    method: 'get' | 'post',
    path: string,
    body: unknown,
    schema: S,
  ): Promise<PaynovaResult<z.infer<S>>> {
    const started = Date.now();
    const result = await this.send(method, path, body, schema);
    if (this.options.onCall) {
      const e = result.ok ? null : result.error;
      await this.options.onCall({
        provider: 'paynova',
        operation,
        subject,
        durationMs: Date.now() - started,
        outcome: !e ? 'ok' : e.code === 'paynova.credit_check_refused' ? 'refused' : 'failed',
        ...(e ? { errorCode: e.code } : {}),
        ...(e && 'errorNumber' in e ? { errorNumber: e.errorNumber, ...(e.statusKey ? { statusKey: e.statusKey } : {}) } : {}),
        ...(e?.httpStatus !== undefined ? { httpStatus: e.httpStatus } : {}),
      });
    }
    return result;
  }

  private async send<S extends z.ZodType>(method: 'get' | 'post', path: string, body: unknown, schema: S): Promise<PaynovaResult<z.infer<S>>> {
    let creds: PaynovaCredentials;
    try {
      creds = await this.options.credentials();
    } catch (_e) {
      return err({ code: 'paynova.no_credentials', message: 'Paynova credentials are not set up in the keychain', retryable: false, reason: 'provider_error', maybeDelivered: false });
    }
    let response;
    try {
      response = await this.http.request({
        method,
        url: path,
        ...(body !== undefined ? { data: body } : {}),
        auth: { username: creds.merchantId, password: creds.apiPassword },
      });
    } catch (error) {
      const t = transportFailure(error);
      return err({ code: 'paynova.transport', message: `Paynova: ${t.message}`, retryable: true, reason: 'provider_unavailable', maybeDelivered: t.maybeDelivered });
    }
    const httpStatus = response.status;
    const envelope = PaynovaEnvelope.safeParse(response.data);
    if (!envelope.success) {
      // No envelope: a proxy or load balancer answered (HTML 502, empty 429...).
      const retryable = httpStatus >= 500 || httpStatus === 429 || httpStatus === 408;
      return err({
        code: httpStatus >= 200 && httpStatus < 300 ? 'paynova.bad_response' : 'paynova.http',
        message: `Paynova answered HTTP ${httpStatus} without a readable status`,
        retryable: retryable || (httpStatus >= 200 && httpStatus < 300),
        reason: retryable ? 'provider_unavailable' : 'provider_error',
        maybeDelivered: httpStatus >= 500 || (httpStatus >= 200 && httpStatus < 300),
        httpStatus,
      });
    }
    const failure = classifyPaynovaStatus(envelope.data.status);
    if (failure) {
      // A 5xx with an envelope is still "try later" whatever number it carries.
      const retryable = failure.retryable || httpStatus >= 500 || httpStatus === 429;
      return err({ ...failure, retryable, maybeDelivered: false, httpStatus, ...(retryable && !failure.retryable ? { reason: 'provider_unavailable' as const } : {}) });
    }
    const parsed = schema.safeParse(envelope.data);
    if (!parsed.success) {
      return err({ code: 'paynova.bad_response', message: `Paynova response did not match: ${formatZodError(parsed.error)}`, retryable: true, reason: 'provider_error', maybeDelivered: true, httpStatus });
    }
    return ok(parsed.data);
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function amountOrNull(value: unknown): Ore | null {
  if (value === null || value === undefined) return null;
  const r = fromProviderAmount(value);
  return r.ok ? r.value : null;
}
