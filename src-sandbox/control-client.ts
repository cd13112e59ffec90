/**
 * Typed client for the simulators' control API (`/__control/...`). Tests and demos drive the
 * "outside world" with it: the patient pays, the bank declines, the next SMS bounces, a route
 * starts timing out. Provider traffic itself always goes through the production clients.
 */
import type { FaultRule, FaultRuleInput, RequestQuery, SeenRequest } from './common/control-schemas';
import type { OptionsInput, RateLimitInput, SetCountryInput } from './geoplugin/control-schemas';
import type {
  CompleteSessionInput,
  CreditCheckInput,
  CustomerProfileInput,
  EventHookConfigInput,
  FailureKind,
  InstallmentsInput,
  MerchantInput,
  WebhookInput,
} from './paynova/control-schemas';
import type { EventDelivery, EventHookConfig } from './paynova/event-hooks';
import type { CardProfile, ControlOrderView, Transaction } from './paynova/state';
import type { AccountInput, AdvanceInput, LifecycleInput, NextOutcomeInput, OptOutInput } from './twilio/control-schemas';
import type { SimMessage } from './twilio/server';

export type { FaultRule, FaultRuleInput, SeenRequest } from './common/control-schemas';
export type { EventDelivery } from './paynova/event-hooks';
export type { ControlOrderView, Transaction } from './paynova/state';
export type { SimMessage } from './twilio/server';

export class SandboxControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly path: string,
  ) {
    super(`Sandbox control ${path} failed with HTTP ${status}: ${JSON.stringify(body)}`);
    this.name = 'SandboxControlError';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What every simulator's control API offers: state, reset, request log, fault injection. */
export class SimControl<State = unknown> {
  constructor(readonly baseUrl: string) {}

  protected async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const url = `${this.baseUrl}/__control${path}`;
    const init: RequestInit = { method, signal: AbortSignal.timeout(10_000) };
    if (body !== undefined) {
      init.headers = { 'content-type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) throw new SandboxControlError(response.status, parsed, path);
    return parsed as T;
  }

  /** Everything the simulator holds, for inspection (GET /__control/state). */
  async state(): Promise<{ simulator: string; faults: FaultRule[]; state: State }> {
    return this.call('GET', '/state');
  }

  /** Forget all state, faults and the request log; cut hanging connections. */
  async reset(): Promise<void> {
    await this.call('POST', '/reset');
  }

  /** Provider requests the simulator saw (control calls excluded), oldest first. */
  async requests(filter: RequestQuery = {}): Promise<SeenRequest[]> {
    const qs = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => e[1] !== undefined));
    const suffix = qs.toString() === '' ? '' : `?${qs.toString()}`;
    return (await this.call<{ requests: SeenRequest[] }>('GET', `/requests${suffix}`)).requests;
  }

  /** Inject latency, 5xx, hang, connection reset or 429 on matching provider routes. */
  async addFault(rule: FaultRuleInput): Promise<FaultRule> {
    return this.call('POST', '/faults', rule);
  }

  async faults(): Promise<FaultRule[]> {
    return (await this.call<{ faults: FaultRule[] }>('GET', '/faults')).faults;
  }

  async removeFault(id: string): Promise<void> {
    await this.call('DELETE', `/faults/${encodeURIComponent(id)}`);
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/faults');
  }

  /** Polls `read` until `done` holds (tests never sleep a fixed time for async effects). */
  protected async waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(20);
    }
  }
}

export class PaynovaControl extends SimControl {
  async setMerchant(input: MerchantInput): Promise<void> {
    await this.call('POST', '/merchants', input);
  }

  /** Where the merchant's event hooks go (null stops them), and optionally its secret key. */
  async setWebhook(input: WebhookInput): Promise<void> {
    await this.call('POST', '/webhook', input);
  }

  /** attempts / retryIntervalMs / timeoutMs of event-hook delivery (Paynova: 3, 5000, 30000). */
  async configureEventHooks(input: EventHookConfigInput): Promise<EventHookConfig> {
    return (await this.call<{ config: EventHookConfig }>('POST', '/event-hooks/config', input)).config;
  }

  /** Every event hook with every delivery attempt (body, headers, receiver's answer). */
  async eventHooks(): Promise<EventDelivery[]> {
    return (await this.call<{ deliveries: EventDelivery[] }>('GET', '/event-hooks')).deliveries;
  }

  async waitForEventHooks(done: (deliveries: EventDelivery[]) => boolean, timeoutMs = 5000): Promise<EventDelivery[]> {
    return this.waitFor(() => this.eventHooks(), done, timeoutMs, 'Paynova event hooks');
  }

  async orders(): Promise<ControlOrderView[]> {
    return (await this.call<{ orders: ControlOrderView[] }>('GET', '/orders')).orders;
  }

  async order(orderId: string): Promise<ControlOrderView> {
    return this.call('GET', `/orders/${encodeURIComponent(orderId)}`);
  }

  async transactions(): Promise<Transaction[]> {
    return (await this.call<{ transactions: Transaction[] }>('GET', '/transactions')).transactions;
  }

  /** The patient completes the hosted page with `product`: PAYMENT AUTHORIZED + SESSION_END COMPLETED. */
  async completeSession(orderId: string, input: CompleteSessionInput = {}): Promise<Transaction> {
    return (await this.call<{ transaction: Transaction }>('POST', `/orders/${encodeURIComponent(orderId)}/complete-session`, input)).transaction;
  }

  /** The patient picks an installment plan of `months` on the hosted page (authorized; finalize starts it). */
  async chooseInstallments(orderId: string, months: InstallmentsInput['months']): Promise<Transaction> {
    return (await this.call<{ transaction: Transaction }>('POST', `/orders/${encodeURIComponent(orderId)}/installments`, { months })).transaction;
  }

  /** The patient pays the sent (finalized) invoice: PAYMENT COMPLETED. */
  async payInvoice(orderId: string): Promise<Transaction> {
    return (await this.call<{ transaction: Transaction }>('POST', `/orders/${encodeURIComponent(orderId)}/pay`)).transaction;
  }

  /**
   * A payment attempt fails: insufficient_funds and declined_by_bank → DECLINED /
   * DECLINED_BY_PROCESSOR (indistinguishable on the wire), authentication_failed → DECLINED /
   * FAILED_AUTHENTICATION, bank_communication_error → ERROR / BANK_COMMUNICATION_ERROR,
   * cancelled_by_customer → CANCELLED / CANCELLED_BY_CUSTOMER (+ SESSION_END CANCELLED).
   */
  async failPayment(orderId: string, reason: FailureKind): Promise<{ paymentStatus: string; paymentStatusReason: string }> {
    return this.call('POST', `/orders/${encodeURIComponent(orderId)}/fail`, { reason });
  }

  /** The sent invoice passes its due date unpaid (sandbox state only; no event hook). */
  async goOverdue(orderId: string): Promise<Transaction> {
    return (await this.call<{ transaction: Transaction }>('POST', `/orders/${encodeURIComponent(orderId)}/overdue`)).transaction;
  }

  /** From now on authorizePayment for this personnummer answers 1001 CUST_ACCT_NOT_ELIGIBLE. */
  async refuseCreditCheck(governmentId: string): Promise<void> {
    await this.setCreditCheck({ governmentId, outcome: 'refuse' });
  }

  async setCreditCheck(input: CreditCheckInput): Promise<void> {
    await this.call('POST', '/credit-check', input);
  }

  /** Seeds a saved-card profile for GET/DELETE /customerprofiles (demo merchant). */
  async addCustomerProfile(input: CustomerProfileInput): Promise<CardProfile> {
    return this.call('POST', '/customer-profiles', input);
  }
}

export class TwilioControl extends SimControl {
  /**
   * What happens to the next message to `to`: delivered, undelivered (30003/30005/30006/…),
   * failed, or a create-time refusal: opted_out (21610, sticks), invalid (21211), not_mobile (21614).
   */
  async setNextOutcome(input: NextOutcomeInput): Promise<void> {
    await this.call('POST', '/next-outcome', input);
  }

  async setOptOut(input: OptOutInput): Promise<void> {
    await this.call('POST', '/opt-outs', input);
  }

  /** auto (default) walks queued → sent → outcome every stepMs; manual waits for advanceMessage. */
  async setLifecycle(input: LifecycleInput): Promise<void> {
    await this.call('POST', '/lifecycle', input);
  }

  async advanceMessage(sid: string, input: AdvanceInput): Promise<SimMessage> {
    return (await this.call<{ message: SimMessage }>('POST', `/messages/${encodeURIComponent(sid)}/advance`, input)).message;
  }

  /** Messages the simulator accepted (with their status callbacks), optionally for one number. */
  async messages(to?: string): Promise<SimMessage[]> {
    const suffix = to === undefined ? '' : `?to=${encodeURIComponent(to)}`;
    return (await this.call<{ messages: SimMessage[] }>('GET', `/messages${suffix}`)).messages;
  }

  async waitForMessages(done: (messages: SimMessage[]) => boolean, timeoutMs = 5000): Promise<SimMessage[]> {
    return this.waitFor(() => this.messages(), done, timeoutMs, 'Twilio messages');
  }

  async addAccount(input: AccountInput): Promise<void> {
    await this.call('POST', '/accounts', input);
  }
}

export class GeoPluginControl extends SimControl {
  /** Which country (and city) geoPlugin reports for `ip`. */
  async setCountry(input: SetCountryInput): Promise<void> {
    await this.call('POST', '/ips', input);
  }

  /** Requests per window per caller before 429, the window, and how long a block lasts. */
  async setRateLimit(input: RateLimitInput): Promise<void> {
    await this.call('POST', '/rate-limit', input);
  }

  /** statusAsString (newer API), defaultCountry for unknown public IPs, paid-tier keys. */
  async setOptions(input: OptionsInput): Promise<void> {
    await this.call('POST', '/options', input);
  }
}
