import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ORDER_EVENT_TYPES,
  OrderEvent,
  allowedEvents,
  isTerminal,
  resolveConcurrent,
  transition,
  type OrderEventType,
  type TransitionFacts,
} from '../../../src-shared/domain/order-state';
import { OrderStatus, type StatusReason } from '../../../src-shared/schemas/enums';

const STATUSES = OrderStatus.options;

/** One valid event of each type. */
const SAMPLE: Record<OrderEventType, OrderEvent> = {
  issue: { type: 'issue' },
  payment_failed: { type: 'payment_failed', reason: 'insufficient_funds' },
  payment_completed: { type: 'payment_completed' },
  plan_started: { type: 'plan_started' },
  plan_finished: { type: 'plan_finished' },
  settled: { type: 'settled' },
  due_date_passed: { type: 'due_date_passed' },
  rejected: { type: 'rejected', reason: 'credit_check_refused' },
  cancelled: { type: 'cancelled', reason: 'paid_elsewhere' },
  credited: { type: 'credited', amount: 50_000, reason: 'wrong_invoice' },
};

/**
 * The lifecycle, written out independently of the implementation: status × event → new status,
 * or null when illegal. Facts: activated as given per row, a full credit (amount = creditable).
 */
const N = null;
const EXPECTED: Record<OrderStatus, Record<OrderEventType, OrderStatus | null>> = {
  //             issue        payment_failed  payment_completed plan_started    plan_finished  settled      due_date_passed rejected    cancelled    credited
  draft:        { issue: 'invoiced', payment_failed: N, payment_completed: N, plan_started: N, plan_finished: N, settled: N, due_date_passed: N, rejected: N, cancelled: 'cancelled', credited: N },
  invoiced:     { issue: N, payment_failed: 'invoiced', payment_completed: 'paid', plan_started: 'installments', plan_finished: N, settled: N, due_date_passed: 'overdue', rejected: 'rejected', cancelled: 'cancelled', credited: N },
  paid:         { issue: N, payment_failed: N, payment_completed: N, plan_started: N, plan_finished: N, settled: 'completed', due_date_passed: N, rejected: N, cancelled: N, credited: 'credited' },
  installments: { issue: N, payment_failed: 'installments', payment_completed: N, plan_started: N, plan_finished: 'completed', settled: N, due_date_passed: 'overdue', rejected: N, cancelled: N, credited: 'credited' },
  overdue:      { issue: N, payment_failed: 'overdue', payment_completed: 'paid', plan_started: 'installments', plan_finished: 'completed', settled: N, due_date_passed: N, rejected: N, cancelled: 'cancelled', credited: 'credited' },
  completed:    { issue: N, payment_failed: N, payment_completed: N, plan_started: N, plan_finished: N, settled: N, due_date_passed: N, rejected: N, cancelled: N, credited: 'credited' },
  rejected:     { issue: N, payment_failed: N, payment_completed: N, plan_started: N, plan_finished: N, settled: N, due_date_passed: N, rejected: N, cancelled: N, credited: N },
  cancelled:    { issue: N, payment_failed: N, payment_completed: N, plan_started: N, plan_finished: N, settled: N, due_date_passed: N, rejected: N, cancelled: N, credited: N },
  credited:     { issue: N, payment_failed: N, payment_completed: N, plan_started: N, plan_finished: N, settled: N, due_date_passed: N, rejected: N, cancelled: N, credited: N },
};

const EXPECTED_REASON: Record<OrderEventType, StatusReason> = {
  issue: 'none',
  payment_failed: 'insufficient_funds',
  payment_completed: 'none',
  plan_started: 'none',
  plan_finished: 'plan_finished',
  settled: 'none',
  due_date_passed: 'past_due_date',
  rejected: 'credit_check_refused',
  cancelled: 'paid_elsewhere',
  credited: 'wrong_invoice',
};

/** Facts that make the row's overdue entries legal: an annulment needs "not activated". */
function factsFor(status: OrderStatus, type: OrderEventType): TransitionFacts {
  return { activated: !(status === 'overdue' && type === 'cancelled'), creditableAmount: 50_000 };
}

describe('order state machine', () => {
  it('knows every event type', () => {
    expect([...ORDER_EVENT_TYPES].sort()).toEqual(Object.keys(SAMPLE).sort());
  });

  const cells = STATUSES.flatMap((status) => ORDER_EVENT_TYPES.map((type) => [status, type] as const));
  it.each(cells)('%s + %s', (status, type) => {
    const expected = EXPECTED[status][type];
    const r = transition(status, SAMPLE[type], factsFor(status, type));
    if (expected === null) {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('illegal_transition');
        expect(r.error.from).toBe(status);
        expect(r.error.event).toBe(type);
        expect(r.error.message).toContain(status);
      }
      expect(allowedEvents(status)).not.toContain(type);
    } else {
      expect(r).toEqual({ ok: true, value: { status: expected, reason: EXPECTED_REASON[type] } });
      expect(allowedEvents(status)).toContain(type);
    }
  });

  it('terminal statuses take no events; completed can still be credited', () => {
    expect(STATUSES.filter(isTerminal).sort()).toEqual(['cancelled', 'credited', 'rejected']);
    expect(isTerminal('completed')).toBe(false);
    for (const s of STATUSES) expect(allowedEvents(s).length === 0).toBe(isTerminal(s));
  });

  it('illegal transitions say what to do instead', () => {
    const cancelPaid = transition('paid', SAMPLE.cancelled);
    expect(!cancelPaid.ok && cancelPaid.error.message).toMatch(/credited instead/);
    const creditInvoiced = transition('invoiced', SAMPLE.credited, { activated: false, creditableAmount: 50_000 });
    expect(!creditInvoiced.ok && creditInvoiced.error.message).toMatch(/cancel \(annul\)/);
    const afterCancel = transition('cancelled', SAMPLE.issue);
    expect(!afterCancel.ok && afterCancel.error.message).toMatch(/final/);
  });

  describe('overdue: cancel before activation, credit after', () => {
    it('annuls an overdue invoice that was never paid nor put on a plan', () => {
      expect(transition('overdue', SAMPLE.cancelled, { activated: false })).toEqual({ ok: true, value: { status: 'cancelled', reason: 'paid_elsewhere' } });
      expect(allowedEvents('overdue', { activated: false })).toContain('cancelled');
      expect(allowedEvents('overdue', { activated: false })).not.toContain('credited');
    });

    it('refuses to annul an overdue plan; it must be credited', () => {
      const r = transition('overdue', SAMPLE.cancelled, { activated: true });
      expect(!r.ok && r.error.code).toBe('illegal_transition');
      expect(allowedEvents('overdue', { activated: true })).toContain('credited');
      expect(allowedEvents('overdue', { activated: true })).not.toContain('cancelled');
    });

    it('refuses to credit an overdue invoice that was never activated', () => {
      const r = transition('overdue', SAMPLE.credited, { activated: false, creditableAmount: 50_000 });
      expect(!r.ok && r.error.code).toBe('illegal_transition');
    });

    it('only an activated (plan) overdue order can finish a plan', () => {
      expect(transition('overdue', SAMPLE.plan_finished, { activated: true })).toEqual({ ok: true, value: { status: 'completed', reason: 'plan_finished' } });
      const r = transition('overdue', SAMPLE.plan_finished, { activated: false });
      expect(!r.ok && r.error.code).toBe('illegal_transition');
      expect(allowedEvents('overdue', { activated: false })).not.toContain('plan_finished');
    });

    it('needs the activation fact rather than guessing', () => {
      for (const ev of [SAMPLE.cancelled, SAMPLE.credited, SAMPLE.plan_finished]) {
        const r = transition('overdue', ev, { creditableAmount: 50_000 });
        expect(!r.ok && r.error).toMatchObject({ code: 'missing_context', field: 'activated' });
      }
    });
  });

  describe('credits', () => {
    it('a partial credit keeps the status and records its reason', () => {
      for (const status of ['paid', 'installments', 'completed'] as const) {
        expect(transition(status, { type: 'credited', amount: 10_000, reason: 'goodwill' }, { creditableAmount: 50_000 })).toEqual({
          ok: true,
          value: { status, reason: 'goodwill' },
        });
      }
      expect(transition('overdue', { type: 'credited', amount: 1, reason: 'goodwill' }, { activated: true, creditableAmount: 2 })).toEqual({
        ok: true,
        value: { status: 'overdue', reason: 'goodwill' },
      });
    });

    it('crediting the whole remainder credits the order', () => {
      expect(transition('paid', { type: 'credited', amount: 20_000, reason: 'treatment_not_performed' }, { creditableAmount: 20_000 })).toEqual({
        ok: true,
        value: { status: 'credited', reason: 'treatment_not_performed' },
      });
    });

    it('cannot credit more than remains', () => {
      const r = transition('paid', { type: 'credited', amount: 20_001, reason: 'goodwill' }, { creditableAmount: 20_000 });
      expect(!r.ok && r.error).toMatchObject({ code: 'credit_exceeds_balance', field: 'amount' });
    });

    it('needs the creditable amount', () => {
      for (const facts of [{}, { creditableAmount: -1 }, { creditableAmount: 1.5 }]) {
        const r = transition('paid', SAMPLE.credited, facts);
        expect(!r.ok && r.error.code).toBe('missing_context');
      }
    });
  });

  describe('validates events at runtime (they arrive from sync and webhooks)', () => {
    it.each([
      [{ type: 'rejected', reason: 'paid_elsewhere' }, 'invalid_reason'],
      [{ type: 'rejected' }, 'invalid_reason'],
      [{ type: 'payment_failed', reason: 'goodwill' }, 'invalid_reason'],
      [{ type: 'cancelled', reason: 'insufficient_funds' }, 'invalid_reason'],
      [{ type: 'cancelled', reason: 'nonsense' }, 'invalid_reason'],
      [{ type: 'credited', amount: 100, reason: 'credit_check_refused' }, 'invalid_reason'],
      [{ type: 'credited', amount: 0, reason: 'goodwill' }, 'invalid_amount'],
      [{ type: 'credited', amount: -5, reason: 'goodwill' }, 'invalid_amount'],
      [{ type: 'credited', amount: 1.5, reason: 'goodwill' }, 'invalid_amount'],
      [{ type: 'credited', reason: 'goodwill' }, 'invalid_amount'],
      [{ type: 'teleported' }, 'invalid_event'],
      [{}, 'invalid_event'],
      [null, 'invalid_event'],
      ['issue', 'invalid_event'],
    ])('%j → %s', (event, code) => {
      const r = transition('invoiced', event as unknown as OrderEvent, { activated: true, creditableAmount: 1000 });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe(code);
        expect(r.error.from).toBe('invoiced');
        expect(r.error.message.length).toBeGreaterThan(10);
      }
    });

    it('rejects an unknown status', () => {
      const r = transition('archived' as OrderStatus, SAMPLE.issue);
      expect(!r.ok && r.error).toMatchObject({ code: 'unknown_status', from: 'archived', event: 'issue' });
      expect(allowedEvents('archived' as OrderStatus)).toEqual([]);
    });

    it('the OrderEvent schema is a discriminated union on type', () => {
      expect(OrderEvent.safeParse({ type: 'rejected', reason: 'fraud_screening' }).success).toBe(true);
      expect(OrderEvent.safeParse({ type: 'rejected', reason: 'goodwill' }).success).toBe(false);
    });
  });

  describe('resolveConcurrent', () => {
    it('applies an event that is still legal on the server status, flagging it stale', () => {
      const r = resolveConcurrent('overdue', { event: SAMPLE.cancelled, basedOn: 'invoiced' }, { activated: false });
      expect(r).toEqual({ ok: true, value: { status: 'cancelled', reason: 'paid_elsewhere', stale: true } });
      expect(resolveConcurrent('invoiced', { event: SAMPLE.payment_completed, basedOn: 'invoiced' })).toEqual({
        ok: true,
        value: { status: 'paid', reason: 'none', stale: false },
      });
    });

    it('rejects a conflicting transition with a reason instead of merging', () => {
      // The desk annulled while a webhook had already recorded the payment.
      const r = resolveConcurrent('paid', { event: SAMPLE.cancelled, basedOn: 'invoiced' });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('conflict');
        expect(r.error.message).toMatch(/from invoiced to paid/);
        expect(r.error.message).toMatch(/credited instead/);
      }
    });

    it('an illegal event on an up-to-date status is just illegal; bad events stay bad', () => {
      const r = resolveConcurrent('paid', { event: SAMPLE.cancelled, basedOn: 'paid' });
      expect(!r.ok && r.error.code).toBe('illegal_transition');
      const bad = resolveConcurrent('paid', { event: { type: 'nope' } as unknown as OrderEvent, basedOn: 'invoiced' });
      expect(!bad.ok && bad.error.code).toBe('invalid_event');
      const none = resolveConcurrent('paid', null as unknown as { event: OrderEvent });
      expect(!none.ok && none.error.code).toBe('invalid_event');
    });
  });

  it('property: any sequence of events either moves along the table or fails without changing state', () => {
    const eventArb = fc.constantFrom(...ORDER_EVENT_TYPES).map((t) => SAMPLE[t]);
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 30 }), (events) => {
        let status: OrderStatus = 'draft';
        let activated = false;
        for (const ev of events) {
          const r = transition(status, ev, { activated, creditableAmount: 50_000 });
          const expected = EXPECTED[status][ev.type];
          const blocked =
            status === 'overdue' &&
            ((ev.type === 'cancelled' && activated) || ((ev.type === 'credited' || ev.type === 'plan_finished') && !activated));
          if (expected === null || blocked) {
            expect(r.ok).toBe(false);
            continue;
          }
          expect(r.ok && r.value.status).toBe(expected);
          if (ev.type === 'payment_completed' || ev.type === 'plan_started') activated = true;
          if (r.ok) status = r.value.status;
          // Money can only be committed after issue, and a cancelled order never saw activation.
          if (status === 'cancelled') expect(activated).toBe(false);
          if (status === 'credited') expect(activated).toBe(true);
        }
      }),
    );
  });
});
