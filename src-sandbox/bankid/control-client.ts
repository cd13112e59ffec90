import axios, { type AxiosInstance } from 'axios';
import { Agent } from 'node:https';
import {
  ScanQrResult,
  type BankIdEndpoint,
  type CompleteInput,
  type ConfigInput,
  type Fault,
  type FaultInput,
  type HintInput,
  type SimConfig,
  type TargetInput,
} from './control-schemas';
import type { SimOrder } from './orders';

export type SimOrderView = SimOrder & { ageSeconds: number };

export class BankIdControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`BankID simulator control call failed with ${status}: ${JSON.stringify(body)}`);
    this.name = 'BankIdControlError';
  }
}

/**
 * Typed client for the simulator's /__control API. It speaks over the same mutual-TLS listener as
 * the RP API, so it needs the relying-party certificate too (the simulator refuses anyone else).
 */
export class BankIdControlClient {
  private readonly http: AxiosInstance;
  private readonly agent: Agent;

  constructor(opts: { origin: string; ca: string; pfx: Buffer; passphrase: string; timeoutMs?: number }) {
    this.agent = new Agent({ ca: opts.ca, pfx: opts.pfx, passphrase: opts.passphrase, keepAlive: true });
    this.http = axios.create({
      baseURL: `${opts.origin}/__control`,
      httpsAgent: this.agent,
      timeout: opts.timeoutMs ?? 10_000,
      validateStatus: () => true,
      headers: { 'Content-Type': 'application/json' },
    });
  }

  private async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, data?: unknown): Promise<T> {
    const response = await this.http.request({ method, url: path, data: data === undefined ? undefined : JSON.stringify(data) });
    if (response.status >= 300) throw new BankIdControlError(response.status, response.data);
    return response.data as T;
  }

  state(): Promise<{ config: SimConfig; faults: Fault[]; calls: Record<BankIdEndpoint, number>; orders: SimOrderView[] }> {
    return this.call('GET', '/state');
  }
  async orders(): Promise<SimOrderView[]> {
    return (await this.call<{ orders: SimOrderView[] }>('GET', '/orders')).orders;
  }
  /** Completes the order (default: the newest pending one) as the given person. */
  async complete(input: CompleteInput): Promise<SimOrderView> {
    return (await this.call<{ order: SimOrderView }>('POST', '/complete', input)).order;
  }
  /** The user pressed Cancel in the BankID app: failed/userCancel. */
  async userCancel(input: TargetInput = {}): Promise<SimOrderView> {
    return (await this.call<{ order: SimOrderView }>('POST', '/user-cancel', input)).order;
  }
  /** Nobody scanned in time: failed/expiredTransaction. */
  async expire(input: TargetInput = {}): Promise<SimOrderView> {
    return (await this.call<{ order: SimOrderView }>('POST', '/expire', input)).order;
  }
  /** Fails the order with any hint code, known or made up. */
  async fail(input: HintInput): Promise<SimOrderView> {
    return (await this.call<{ order: SimOrderView }>('POST', '/fail', input)).order;
  }
  /** Sets the pending hint (started, userSign, userMrtd, …). */
  async setHint(input: HintInput): Promise<SimOrderView> {
    return (await this.call<{ order: SimOrderView }>('POST', '/hint', input)).order;
  }
  /** What the BankID app does on scanning: verifies the animated QR text against the order. */
  async scanQr(qrText: string): Promise<ScanQrResult> {
    return ScanQrResult.parse(await this.call('POST', '/scan-qr', { qrText }));
  }
  addFault(input: FaultInput): Promise<Fault> {
    return this.call('POST', '/faults', input);
  }
  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/faults');
  }
  async configure(input: ConfigInput): Promise<SimConfig> {
    return (await this.call<{ config: SimConfig }>('POST', '/config', input)).config;
  }
  async reset(): Promise<void> {
    await this.call('POST', '/reset', {});
  }
  close(): void {
    this.agent.destroy();
  }
}
