import { describe, expect, it } from 'vitest';
import {
  advanceSmsStatus,
  classifyPaynovaStatus,
  classifyTwilioError,
  mapPaynovaPaymentEvent,
  PaynovaStatus,
  validateSmsTemplate,
} from '../../../src-shared/schemas/providers';
import { SmsStatus } from '../../../src-shared/schemas/enums';
import { deliveryVerdict } from '../../../src-main/jobs/sms-status';

const status = (raw: unknown) => PaynovaStatus.parse(raw);

describe('Paynova envelope mapping', () => {
  it('success only when errorNumber is 0 (numbers may be strings)', () => {
    expect(classifyPaynovaStatus(status({ isSuccess: true, errorNumber: 0, statusKey: 'SUCCESS' }))).toBeNull();
    expect(classifyPaynovaStatus(status({ isSuccess: 'true', errorNumber: '0', statusKey: 'PENDING' }))).toBeNull();
  });

  it.each([
    [-1, 'paynova.internal_error', true, 'provider_unavailable'],
    [-2, 'paynova.validation', false, 'provider_error'],
    [-3, 'paynova.auth', false, 'provider_error'],
    [1000, 'paynova.merchant_read_only', false, 'provider_error'],
    [1001, 'paynova.credit_check_refused', false, 'credit_check_refused'],
    [2000, 'paynova.customer_profile_not_found', false, 'provider_error'],
    [2001, 'paynova.customer_card_not_found', false, 'provider_error'],
    [3000, 'paynova.order_not_found', false, 'provider_error'],
    [3001, 'paynova.line_items_not_allowed', false, 'provider_error'],
    [3002, 'paynova.finalize_amount_exceeded', false, 'provider_error'],
    [3003, 'paynova.line_items_required', false, 'provider_error'],
  ])('%i → %s', (n, code, retryable, reason) => {
    expect(classifyPaynovaStatus(status({ isSuccess: false, errorNumber: String(n), statusKey: 'X' }))).toMatchObject({ code, retryable, reason, errorNumber: n });
  });

  it('keeps the raw number and statusKey of an unknown error', () => {
    const f = classifyPaynovaStatus(status({ isSuccess: false, errorNumber: 4711, statusKey: 'SOMETHING_NEW', statusMessage: 'x', errors: null }));
    expect(f).toMatchObject({ code: 'paynova.unknown', errorNumber: 4711, statusKey: 'SOMETHING_NEW', retryable: false, reason: 'provider_error' });
    expect(f?.message).toContain('4711');
  });

  it('validation errors name the fields', () => {
    const f = classifyPaynovaStatus(status({ isSuccess: false, errorNumber: -2, statusKey: 'VALIDATION_ERROR', errors: [{ errorCode: 'GovernmentIdIsInvalid', fieldName: 'GovernmentId', message: 'bad' }] }));
    expect(f).toMatchObject({ field: 'GovernmentId', fields: [{ field: 'GovernmentId', errorCode: 'GovernmentIdIsInvalid', message: 'bad' }] });
    expect(f?.message).toContain('GovernmentId GovernmentIdIsInvalid');
  });

  it('isSuccess false with errorNumber 0 is not treated as success', () => {
    expect(classifyPaynovaStatus(status({ isSuccess: false, errorNumber: 0 }))?.code).toBe('paynova.unknown');
  });
});

describe('Paynova event-hook status/reason mapping', () => {
  it.each([
    ['AUTHORIZED', 'NONE', 'authorized', 'none'],
    ['COMPLETED', 'NONE', 'completed', 'none'],
    ['PENDING', 'NONE', 'pending', 'none'],
    ['DECLINED', 'DECLINED_BY_PROCESSOR', 'failed', 'declined_by_processor'],
    ['DECLINED', 'FAILED_AUTHENTICATION', 'failed', 'authentication_failed'],
    ['DECLINED', 'FRAUD_SCREENING', 'failed', 'fraud_screening'],
    ['DECLINED', 'NONE', 'failed', 'declined_by_processor'],
    ['DECLINED', 'INSUFFICIENT_FUNDS', 'failed', 'insufficient_funds'],
    ['ERROR', 'BANK_COMMUNICATION_ERROR', 'failed', 'bank_communication_error'],
    ['ERROR', '', 'failed', 'provider_error'],
    ['CANCELLED', 'CANCELLED_BY_CUSTOMER', 'cancelled', 'cancelled_by_customer'],
    ['cancelled', null, 'cancelled', 'cancelled_by_customer'],
  ] as const)('%s / %s → %s, %s', (s, r, outcome, reason) => {
    expect(mapPaynovaPaymentEvent(s, r)).toMatchObject({ outcome, reason });
  });

  it('keeps unknown statuses and reasons raw', () => {
    expect(mapPaynovaPaymentEvent('REVERSED', 'WHATEVER')).toEqual({ outcome: 'unknown', reason: 'provider_error', rawStatus: 'REVERSED', rawReason: 'WHATEVER' });
  });
});

describe('SMS status lifecycle', () => {
  it('never moves backwards or out of a terminal status, whatever order callbacks arrive in', () => {
    expect(advanceSmsStatus('delivered', 'sent')).toBe('delivered');
    expect(advanceSmsStatus('undelivered', 'delivered')).toBe('undelivered');
    expect(advanceSmsStatus('sent', 'queued')).toBe('sent');
    expect(advanceSmsStatus('queued', 'sent')).toBe('sent');
    expect(advanceSmsStatus('delivered', 'read')).toBe('read');
    expect(advanceSmsStatus(null, 'sending')).toBe('sending');
  });

  it('any permutation of a lifecycle ends at the terminal status', () => {
    const lifecycle: SmsStatus[] = ['queued', 'sending', 'sent', 'undelivered'];
    const perms = (xs: SmsStatus[]): SmsStatus[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])));
    for (const order of perms(lifecycle)) {
      let s: SmsStatus | null = 'accepted';
      for (const next of order) s = advanceSmsStatus(s, next);
      expect(s).toBe('undelivered');
    }
  });

  it('Twilio codes: 21610 opt-out, 30003 retryable, 30006/21211/21614 permanent, unknown 5xx retryable', () => {
    expect(classifyTwilioError(21610).disposition).toBe('opted_out');
    expect(classifyTwilioError(30003).disposition).toBe('retryable');
    for (const c of [30005, 30006, 21211, 21614]) expect(classifyTwilioError(c).disposition).toBe('permanent');
    expect(classifyTwilioError(99999, 503).disposition).toBe('retryable');
    expect(classifyTwilioError(99999, 400).disposition).toBe('permanent');
    expect(deliveryVerdict('undelivered', 30003)).toBe('retry_later');
    expect(deliveryVerdict('undelivered', 30006)).toBe('undeliverable');
    expect(deliveryVerdict('sent', null)).toBe('in_progress');
    expect(deliveryVerdict('delivered', null)).toBe('delivered');
  });
});

describe('SMS template validation', () => {
  it('rejects placeholders that could carry treatment details, and stray braces', () => {
    expect(validateSmsTemplate('cancelled', 'Faktura {ocr} makulerad ({treatment})')).toEqual([expect.stringMatching(/unknown placeholder \{treatment\}/)]);
    expect(validateSmsTemplate('cancelled', 'Faktura {ocr} makulerad }')).toEqual(['unbalanced { or }']);
    expect(validateSmsTemplate('invoice_issued', '{amount} {dueDate} {ocr}')).toEqual(['missing required placeholder {link}']);
  });
});
