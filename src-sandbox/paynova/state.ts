import { randomInt, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Customer, InvoiceProduct, LineItem } from './schemas';

export interface Merchant {
  merchantId: string;
  apiPassword: string;
  secretKey: string;
  /** Where event hooks go unless a session named its own urlCallback. */
  callbackUrl?: string;
}

export type TransactionState = 'authorized' | 'finalized' | 'annulled';

export interface Refund {
  transactionId: string;
  amountOre: number;
  lineItems: LineItem[];
  at: string;
}

export interface Transaction {
  transactionId: string;
  orderId: string;
  paymentMethodId: number;
  paymentMethodProductId: string;
  amountOre: number;
  state: TransactionState;
  finalizedOre: number;
  annulledOre: number;
  refunds: Refund[];
  invoiceId?: string;
  batchId?: string;
  acquirerId: number;
  acquirerReferenceId: string;
  sessionId?: string;
  createdAt: string;
  /** Sandbox-only facts about what the patient did; no Paynova endpoint exposes them. */
  paidAt?: string;
  overdueAt?: string;
}

export interface Session {
  sessionId: string;
  orderId: string;
  amountOre: number;
  url: string;
  urlCallback?: string;
  paymentChannelId: number;
  status: 'open' | 'completed' | 'cancelled';
  createdAt: string;
}

export interface Order {
  orderId: string;
  merchantId: string;
  orderNumber: string;
  orderDescription?: string;
  currencyCode: string;
  totalOre: number;
  salesChannel?: string;
  salesLocationId?: string;
  customer?: z.output<typeof Customer>;
  billTo?: unknown;
  shipTo?: unknown;
  lineItems: LineItem[];
  detailed: boolean;
  createdAt: Date;
  status: 'Open' | 'Cancelled';
  sessions: Session[];
  transactionIds: string[];
  /** How many create requests named this orderNumber (idempotency is observable in tests). */
  createRequests: number;
  lastPaymentStatus?: { status: string; reason: string; at: string };
}

export interface CardProfile {
  profileId: string;
  profileCards: { cardId: string; firstSix: string; lastFour: string; expirationMonth: number; expirationYear: number }[];
}

export const DEMO_MERCHANT: Merchant = {
  merchantId: '10000001',
  apiPassword: 'sandbox-api-password',
  secretKey: 'sandbox-secret-key',
};

/** 18 digits, never starting with 0 so it survives a careless numeric parse intact-ish. */
export function newTransactionId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 0; i < 17; i++) id += String(randomInt(0, 10));
  return id;
}

export class PaynovaState {
  merchants = new Map<string, Merchant>();
  orders = new Map<string, Order>();
  transactions = new Map<string, Transaction>();
  profiles = new Map<string, CardProfile>();
  /** governmentIds whose credit check is refused (1001 CUST_ACCT_NOT_ELIGIBLE). */
  refusedGovernmentIds = new Set<string>();

  constructor() {
    this.reset();
  }

  reset(): void {
    this.merchants = new Map([[DEMO_MERCHANT.merchantId, { ...DEMO_MERCHANT }]]);
    this.orders.clear();
    this.transactions.clear();
    this.profiles.clear();
    this.refusedGovernmentIds.clear();
  }

  findOrderByNumber(merchantId: string, orderNumber: string): Order | undefined {
    for (const order of this.orders.values()) {
      if (order.merchantId === merchantId && order.orderNumber === orderNumber) return order;
    }
    return undefined;
  }

  /** Orders of other merchants do not exist for this one (3000). */
  order(merchantId: string, orderId: string): Order | undefined {
    const order = this.orders.get(orderId);
    return order && order.merchantId === merchantId ? order : undefined;
  }

  orderTransactions(order: Order): Transaction[] {
    return order.transactionIds.map((id) => this.transactions.get(id)).filter((t): t is Transaction => t !== undefined);
  }

  /** The transaction that currently carries the order's money (not annulled). */
  activeTransaction(order: Order): Transaction | undefined {
    return this.orderTransactions(order).find((t) => t.state !== 'annulled');
  }

  addTransaction(order: Order, product: InvoiceProduct | string, amountOre: number, paymentMethodId: number, sessionId?: string): Transaction {
    const tx: Transaction = {
      transactionId: newTransactionId(),
      orderId: order.orderId,
      paymentMethodId,
      paymentMethodProductId: product,
      amountOre,
      state: 'authorized',
      finalizedOre: 0,
      annulledOre: 0,
      refunds: [],
      // UNSURE: the real acquirerId value for Paynova Invoice is not documented publicly.
      acquirerId: 5,
      acquirerReferenceId: `PNI${String(randomInt(10_000_000, 99_999_999))}`,
      createdAt: new Date().toISOString(),
    };
    if (sessionId !== undefined) tx.sessionId = sessionId;
    this.transactions.set(tx.transactionId, tx);
    order.transactionIds.push(tx.transactionId);
    return tx;
  }

  newOrderId(): string {
    return randomUUID();
  }

  snapshot() {
    return {
      merchants: [...this.merchants.values()].map(({ merchantId, callbackUrl }) => ({ merchantId, callbackUrl: callbackUrl ?? null })),
      orders: [...this.orders.values()],
      transactions: [...this.transactions.values()],
      customerProfiles: [...this.profiles.values()],
      refusedGovernmentIds: [...this.refusedGovernmentIds],
    };
  }
}

/** An order as the control API shows it (JSON: dates as ISO strings, transactions inlined). */
export type ControlOrderView = Omit<Order, 'createdAt'> & { createdAt: string; transactions: Transaction[] };
