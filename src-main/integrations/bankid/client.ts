import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { Agent } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { z } from 'zod';
import { parsePersonnummer } from '../../../src-shared/domain/personnummer';
import { err, ok, type Result } from '../../../src-shared/domain/result';
import {
  BankIdCancelResponse,
  BankIdCollectResponse,
  BankIdErrorResponse,
  BankIdOrderResponse,
  type BankIdAuthRequest,
  type BankIdRequirement,
} from '../../../src-shared/schemas/bankid';
import { formatZodError } from '../../../src-shared/schemas/errors';
import { bankIdError, httpError, thrownError, type BankIdError } from './errors';

export interface BankIdClientOptions {
  /** BANKID_PROD_URL, BANKID_TEST_URL or a simulator's url; with or without the trailing slash. */
  baseUrl: string;
  /** The relying party's PKCS#12 (from the keychain). */
  pfx: Buffer;
  passphrase: string;
  /** BankID's CA (PEM): the server is trusted through this only, never the system store. */
  ca: string | Buffer;
  /** Per call, connect to last byte. */
  timeoutMs?: number;
}

export interface BankIdAuthInput {
  endUserIp: string;
  /** Any written form; sent as requirement.personalNumber in the 12-digit form. */
  personalNumber?: string;
  /** simpleMarkdownV1 text shown in the app; the client sends it base64 of UTF-8. */
  userVisibleMarkdown?: string;
  requirement?: Omit<BankIdRequirement, 'personalNumber'>;
  returnRisk?: boolean;
}

/** What /auth answers. Holds qrStartSecret: stays in main, never passed to the renderer. */
export type BankIdOrder = z.infer<typeof BankIdOrderResponse>;
export type BankIdCollect = z.infer<typeof BankIdCollectResponse>;

export interface BankIdClient {
  auth(input: BankIdAuthInput, signal?: AbortSignal): Promise<Result<BankIdOrder, BankIdError>>;
  sign(input: BankIdAuthInput & { userVisibleMarkdown: string }, signal?: AbortSignal): Promise<Result<BankIdOrder, BankIdError>>;
  collect(orderRef: string, signal?: AbortSignal): Promise<Result<BankIdCollect, BankIdError>>;
  cancel(orderRef: string, signal?: AbortSignal): Promise<Result<void, BankIdError>>;
  close(): void;
}

const DEFAULT_TIMEOUT_MS = 10_000;

function retryAfter(response: AxiosResponse): number | undefined {
  for (const name of ['ratelimit-reset', 'retry-after']) {
    const value = Number(response.headers[name]);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  return undefined;
}

function parseBody(response: AxiosResponse<string>): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(response.data) as unknown };
  } catch (_e) {
    return { ok: false };
  }
}

function buildAuthRequest(input: BankIdAuthInput): Result<BankIdAuthRequest, BankIdError> {
  const request: BankIdAuthRequest = { endUserIp: input.endUserIp };
  const requirement: BankIdRequirement = { ...input.requirement };
  if (input.personalNumber !== undefined) {
    const pn = parsePersonnummer(input.personalNumber);
    if (!pn.ok) return err(bankIdError('invalid_input', pn.error.message, { details: 'personalNumber' }));
    requirement.personalNumber = pn.value.canonical;
  }
  if (Object.keys(requirement).length > 0) request.requirement = requirement;
  if (input.userVisibleMarkdown !== undefined) {
    request.userVisibleData = Buffer.from(input.userVisibleMarkdown, 'utf8').toString('base64');
    request.userVisibleDataFormat = 'simpleMarkdownV1';
  }
  if (input.returnRisk !== undefined) request.returnRisk = input.returnRisk;
  return ok(request);
}

/**
 * The BankID RP v6.0 client: mutual TLS with the relying party's certificate, every response
 * parsed with zod, every failure a typed BankIdError. Credentials come from the caller (the
 * keychain) and never appear in an error.
 */
export function createBankIdClient(options: BankIdClientOptions): Result<BankIdClient, BankIdError> {
  try {
    // Opening the PKCS#12 now turns a wrong keychain passphrase into an error at setup, not at login.
    createSecureContext({ pfx: options.pfx, passphrase: options.passphrase, ca: options.ca });
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unreadable';
    return err(bankIdError('certificate', `The BankID relying-party certificate cannot be opened (${reason}): check the certificate and passphrase`));
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const agent = new Agent({ pfx: options.pfx, passphrase: options.passphrase, ca: options.ca, keepAlive: true, rejectUnauthorized: true });
  const http: AxiosInstance = axios.create({
    baseURL: options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`,
    httpsAgent: agent,
    // Exactly this, no charset: the API refuses anything else with 415.
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    responseType: 'text',
    transformResponse: (data: unknown) => data,
    validateStatus: () => true,
    maxRedirects: 0,
    proxy: false,
    timeout: timeoutMs,
  });

  async function post<S extends z.ZodType>(endpoint: string, body: unknown, schema: S, signal?: AbortSignal): Promise<Result<z.output<S>, BankIdError>> {
    let response: AxiosResponse<string>;
    try {
      // axios' timeout only covers an idle socket; the signal caps the whole call.
      const deadline = AbortSignal.timeout(timeoutMs);
      response = await http.post<string>(endpoint, JSON.stringify(body), { signal: signal ? AbortSignal.any([signal, deadline]) : deadline });
    } catch (error) {
      return err(thrownError(error));
    }
    const json = parseBody(response);
    if (response.status !== 200) {
      const parsed = json.ok ? BankIdErrorResponse.safeParse(json.value) : undefined;
      return err(httpError(response.status, parsed?.success ? parsed.data : undefined, retryAfter(response)));
    }
    if (!json.ok) return err(bankIdError('malformed_response', `BankID /${endpoint} answered 200 with a body that is not JSON`, { httpStatus: 200 }));
    const parsed = schema.safeParse(json.value);
    // Field paths and zod's messages only: the body itself may hold a qrStartSecret or personal data.
    if (!parsed.success) return err(bankIdError('malformed_response', `BankID /${endpoint} answer does not match the v6.0 shape: ${formatZodError(parsed.error)}`, { httpStatus: 200 }));
    return ok(parsed.data as z.output<S>);
  }

  const order = async (endpoint: 'auth' | 'sign', input: BankIdAuthInput, signal?: AbortSignal) => {
    const request = buildAuthRequest(input);
    return request.ok ? post(endpoint, request.value, BankIdOrderResponse, signal) : request;
  };

  return ok({
    auth: (input, signal) => order('auth', input, signal),
    sign: (input, signal) => order('sign', input, signal),
    collect: (orderRef, signal) => post('collect', { orderRef }, BankIdCollectResponse, signal),
    async cancel(orderRef, signal) {
      const result = await post('cancel', { orderRef }, BankIdCancelResponse, signal);
      return result.ok ? ok(undefined) : result;
    },
    close: () => agent.destroy(),
  });
}
