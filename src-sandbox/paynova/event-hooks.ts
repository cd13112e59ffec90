import { createHash } from 'node:crypto';
import { paynovaTimestamp } from '../common/time';

export type EventType = 'PAYMENT' | 'SESSION_END' | 'REFUND' | 'CUSTOMER_PROFILE_CARD_ADDED';

/** Event-specific fields in the order Paynova lists them; common fields are added on delivery. */
export type EventFields = Record<string, string>;

export interface DeliveryAttempt {
  attempt: number;
  at: string;
  deliveryTimestamp: string;
  body: string;
  headers: Record<string, string>;
  responseStatus?: number;
  error?: string;
}

export interface EventDelivery {
  id: number;
  eventType: EventType;
  merchantId: string;
  url: string;
  eventTimestamp: string;
  fields: EventFields;
  attempts: DeliveryAttempt[];
  outcome: 'pending' | 'delivered' | 'failed';
}

export interface EventHookConfig {
  attempts: number;
  retryIntervalMs: number;
  timeoutMs: number;
}

/** Paynova documents 3 attempts 5 s apart and a 30 s answer window. */
export const DEFAULT_EVENT_HOOK_CONFIG: EventHookConfig = { attempts: 3, retryIntervalMs: 5000, timeoutMs: 30_000 };

/** A retry pause that neither keeps the process alive nor outlives a reset. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

const sha1UpperHex = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex').toUpperCase();

/** DIGEST: covers only the four header fields plus the secret, joined with ";". */
export function bodyDigest(eventType: string, eventTimestamp: string, deliveryTimestamp: string, merchantId: string, secretKey: string): string {
  return sha1UpperHex([eventType, eventTimestamp, deliveryTimestamp, merchantId, secretKey].join(';'));
}

/** Pn-Digest header: covers the raw body exactly as sent, then the secret. */
export function headerDigest(rawBody: string, secretKey: string): string {
  return sha1UpperHex(rawBody + secretKey);
}

/**
 * Delivers Paynova event hooks: form-encoded UPPER_SNAKE fields, DIGEST in the body, Pn-Digest
 * header, up to `attempts` tries `retryIntervalMs` apart until the receiver answers 200/204.
 * DELIVERY_TIMESTAMP (and so DIGEST) is fresh on every attempt, as a real redelivery would be.
 */
export class EventHookDispatcher {
  readonly deliveries: EventDelivery[] = [];
  config: EventHookConfig = { ...DEFAULT_EVENT_HOOK_CONFIG };
  private nextId = 1;
  private generation = 0;
  private abort = new AbortController();

  emit(input: { eventType: EventType; merchantId: string; secretKey: string; url: string; fields: EventFields; at?: Date }): EventDelivery {
    const delivery: EventDelivery = {
      id: this.nextId++,
      eventType: input.eventType,
      merchantId: input.merchantId,
      url: input.url,
      eventTimestamp: paynovaTimestamp(input.at ?? new Date()),
      fields: input.fields,
      attempts: [],
      outcome: 'pending',
    };
    this.deliveries.push(delivery);
    void this.deliver(delivery, input.secretKey, this.generation);
    return delivery;
  }

  /** Forget everything; deliveries in flight are aborted and retries stop. */
  reset(): void {
    this.stop();
    this.deliveries.length = 0;
    this.config = { ...DEFAULT_EVENT_HOOK_CONFIG };
  }

  /** Abort deliveries in flight (the simulator is closing or resetting). */
  stop(): void {
    this.generation += 1;
    this.abort.abort();
    this.abort = new AbortController();
  }

  private async deliver(delivery: EventDelivery, secretKey: string, generation: number): Promise<void> {
    const { attempts, retryIntervalMs, timeoutMs } = this.config;
    const cancelled = this.abort.signal;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (generation !== this.generation || cancelled.aborted) return;
      const now = new Date();
      const deliveryTimestamp = paynovaTimestamp(now);
      const params = new URLSearchParams({
        EVENT_TYPE: delivery.eventType,
        EVENT_TIMESTAMP: delivery.eventTimestamp,
        DELIVERY_TIMESTAMP: deliveryTimestamp,
        MERCHANT_ID: delivery.merchantId,
        ...delivery.fields,
      });
      params.append('DIGEST', bodyDigest(delivery.eventType, delivery.eventTimestamp, deliveryTimestamp, delivery.merchantId, secretKey));
      const body = params.toString();
      const headers = {
        'content-type': 'application/x-www-form-urlencoded',
        'pn-digest': headerDigest(body, secretKey),
      };
      const record: DeliveryAttempt = { attempt, at: now.toISOString(), deliveryTimestamp, body, headers };
      delivery.attempts.push(record);
      try {
        const response = await fetch(delivery.url, { method: 'POST', headers, body, signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), cancelled]) });
        record.responseStatus = response.status;
        await response.body?.cancel();
        if (response.status === 200 || response.status === 204) {
          delivery.outcome = 'delivered';
          return;
        }
      } catch (e) {
        record.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
      if (attempt < attempts) await pause(retryIntervalMs, cancelled);
    }
    delivery.outcome = 'failed';
  }
}
