import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { BankIdAuthRequest, BankIdCompletionData } from '../../src-shared/schemas/bankid';
import type { z } from 'zod';
import type { CompleteInput, ScanQrResult, SimConfig } from './control-schemas';

/**
 * The simulator's order book: what BankID's back end keeps per order. Time is read through
 * `now()` so expiry follows the wall clock lazily (on collect and on listing) without timers.
 */
export interface SimOrder {
  orderRef: string;
  kind: 'auth' | 'sign';
  endUserIp: string;
  /** From requirement.personalNumber: the only orders alreadyInProgress can hit. */
  personalNumber: string | null;
  userVisibleData: string | null;
  autoStartToken: string;
  qrStartToken: string;
  qrStartSecret: string;
  /** When the auth response was produced: qrTime counts whole seconds from here. */
  createdAt: number;
  startedAt: number | null;
  status: 'pending' | 'failed' | 'complete';
  hintCode: string | null;
  completionData: BankIdCompletionData | null;
  qrScans: number;
  lastQrTime: number | null;
}

export type CollectOutcome =
  | { found: false }
  | { found: true; body: { orderRef: string; status: SimOrder['status']; hintCode?: string; completionData?: BankIdCompletionData } };

export class OrderBook {
  private readonly orders = new Map<string, SimOrder>();

  constructor(
    private readonly config: () => SimConfig,
    private readonly now: () => number = Date.now,
  ) {}

  create(kind: SimOrder['kind'], request: BankIdAuthRequest): { ok: true; order: SimOrder } | { ok: false; errorCode: 'alreadyInProgress' } {
    const personalNumber = request.requirement?.personalNumber ?? null;
    if (personalNumber !== null) {
      const running = this.list().find((o) => o.status === 'pending' && o.personalNumber === personalNumber);
      if (running) {
        // integrations.md §4: both orders are aborted; the new one is never created.
        this.fail(running, 'cancelled');
        return { ok: false, errorCode: 'alreadyInProgress' };
      }
    }
    const order: SimOrder = {
      orderRef: randomUUID(),
      kind,
      endUserIp: request.endUserIp,
      personalNumber,
      userVisibleData: request.userVisibleData ?? null,
      autoStartToken: randomUUID(),
      qrStartToken: randomUUID(),
      qrStartSecret: randomUUID(),
      createdAt: this.now(),
      startedAt: null,
      status: 'pending',
      hintCode: 'outstandingTransaction',
      completionData: null,
      qrScans: 0,
      lastQrTime: null,
    };
    this.orders.set(order.orderRef, order);
    return { ok: true, order };
  }

  get(orderRef: string): SimOrder | undefined {
    const order = this.orders.get(orderRef);
    if (order) this.expireIfDue(order);
    return order;
  }

  list(): SimOrder[] {
    return [...this.orders.values()].map((o) => this.expireIfDue(o));
  }

  /** The order a control call means: the given one, else the newest pending one. */
  target(orderRef: string | undefined): SimOrder | undefined {
    if (orderRef !== undefined) return this.get(orderRef);
    const pending = this.list().filter((o) => o.status === 'pending');
    return pending[pending.length - 1];
  }

  collect(orderRef: string): CollectOutcome {
    const order = this.get(orderRef);
    if (!order) return { found: false };
    const body: Extract<CollectOutcome, { found: true }>['body'] = { orderRef: order.orderRef, status: order.status };
    if (order.status === 'complete' && order.completionData) body.completionData = order.completionData;
    else if (order.hintCode !== null) body.hintCode = order.hintCode;
    return { found: true, body };
  }

  /** RP cancel: the order is gone; a later collect gets invalidParameters like the real API. */
  cancel(orderRef: string): boolean {
    return this.orders.delete(orderRef);
  }

  setPendingHint(order: SimOrder, hintCode: string): void {
    if (hintCode !== 'outstandingTransaction' && hintCode !== 'noClient' && order.startedAt === null) order.startedAt = this.now();
    order.hintCode = hintCode;
  }

  fail(order: SimOrder, hintCode: string): void {
    order.status = 'failed';
    order.hintCode = hintCode;
  }

  complete(order: SimOrder, input: z.output<typeof CompleteInput>): void {
    const name = input.name ?? `${input.givenName} ${input.surname}`;
    order.status = 'complete';
    order.hintCode = null;
    order.completionData = {
      user: { personalNumber: input.personalNumber, name, givenName: input.givenName, surname: input.surname },
      device: { ipAddress: input.ipAddress ?? order.endUserIp, uhi: randomBytes(20).toString('base64url') },
      bankIdIssueDate: '2024-01-15',
      // Stand-ins with the real shapes: base64 of an XML signature and of a DER OCSP response.
      signature: Buffer.from(`<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><!-- simulated ${order.kind} ${order.orderRef} --></Signature>`).toString('base64'),
      ocspResponse: randomBytes(64).toString('base64'),
      ...(input.risk !== undefined ? { risk: input.risk } : {}),
    };
  }

  /**
   * What the BankID app does with a scanned QR: find the order by qrStartToken, recompute the
   * auth code from the secret and reject codes that do not match or are older than allowed.
   */
  scanQr(qrText: string): ScanQrResult {
    const m = /^bankid\.([^.]+)\.(\d+)\.([0-9a-f]{64})$/.exec(qrText);
    if (!m) return { ok: false, orderRef: null, qrTime: null, reason: 'format' };
    const [, token = '', qrTimeText = '', code = ''] = m;
    const order = this.list().find((o) => o.qrStartToken === token);
    if (!order) return { ok: false, orderRef: null, qrTime: null, reason: 'unknown_token' };
    const qrTime = Number(qrTimeText);
    const refuse = (reason: string): ScanQrResult => ({ ok: false, orderRef: order.orderRef, qrTime, reason });
    const expected = createHmac('sha256', Buffer.from(order.qrStartSecret, 'ascii')).update(Buffer.from(qrTimeText, 'ascii')).digest();
    if (!timingSafeEqual(expected, Buffer.from(code, 'hex'))) return refuse('bad_auth_code');
    const elapsed = Math.floor((this.now() - order.createdAt) / 1000);
    // The client counts from when it received the response, so it can only be behind us (+1 for rounding).
    if (qrTime > elapsed + 1 || qrTime < elapsed - this.config().qrMaxAgeSeconds) return refuse('stale');
    if (order.status !== 'pending') return refuse('not_pending');
    order.qrScans += 1;
    order.lastQrTime = qrTime;
    this.setPendingHint(order, 'started');
    return { ok: true, orderRef: order.orderRef, qrTime, reason: null };
  }

  reset(): void {
    this.orders.clear();
  }

  private expireIfDue(order: SimOrder): SimOrder {
    if (order.status !== 'pending') return order;
    const { unscannedTimeoutMs, orderTimeoutMs } = this.config();
    const t = this.now();
    const due = order.startedAt === null ? t - order.createdAt >= unscannedTimeoutMs : t - order.startedAt >= orderTimeoutMs;
    if (due) this.fail(order, 'expiredTransaction');
    return order;
  }
}
