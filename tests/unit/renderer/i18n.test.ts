import { describe, expect, it } from 'vitest';
import { en, sv } from '../../../src-renderer/ui/messages';
import { makeI18n, translate } from '../../../src-renderer/ui/i18n-core';
import { checkLine } from '../../../src-renderer/desk/line-check';
import { toE164 } from '../../../src-renderer/ui/phone';
import { parseRoute } from '../../../src-renderer/desk/routes';
import { OrderStatus, SmsStatus, StatusReason } from '../../../src-shared/schemas/enums';

describe('desk i18n', () => {
  it('has every Swedish key in English, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(sv).sort());
    for (const [k, v] of [...Object.entries(sv), ...Object.entries(en)]) expect(v.trim(), k).not.toBe('');
  });

  it('names every status and reason in both languages', () => {
    for (const s of OrderStatus.options) expect(Object.hasOwn(sv, `status.${s}`), s).toBe(true);
    for (const r of StatusReason.options) expect(Object.hasOwn(sv, `reason.${r}`), r).toBe(true);
    for (const m of SmsStatus.options) expect(Object.hasOwn(sv, `sms.status.${m}`), m).toBe(true);
  });

  it('translates error envelopes into plain language with the field named', () => {
    const sv1 = makeI18n('sv', () => undefined);
    expect(sv1.error({ code: 'invalid_credentials', message: 'x' })).toBe('Fel användarnamn, lösenord eller PIN-kod.');
    expect(sv1.error({ code: 'validation', message: 'lines.0.quantity: must be at least 1', field: 'lines.0.quantity' })).toBe('Kontrollera fältet antal: must be at least 1');
    expect(sv1.error({ code: 'checksum', message: 'x', field: 'personnummer' })).toBe('Personnumret har fel kontrollsiffra.');
    expect(sv1.error({ code: 'something_new', message: 'Odd thing' })).toBe('Något gick fel: Odd thing');
    expect(makeI18n('en', () => undefined).error({ code: 'forbidden', message: 'x' })).toBe('Your role may not do this.');
  });

  it('formats money as sv-SE SEK from öre', () => {
    expect(makeI18n('sv', () => undefined).money(123456).replace(/\s/g, ' ')).toBe('1 234,56 kr');
    expect(translate('sv', 'orders.count', { count: '3' })).toBe('3 ordrar');
  });

  it('words pull progress with each language\'s digit grouping', () => {
    const line = (l: 'sv' | 'en') => {
      const i = makeI18n(l, () => undefined);
      return i.t('sync.pulling', { done: i.count(12_400), total: i.count(100_000) }).replace(/\s/g, ' ');
    };
    expect(line('sv')).toBe('Hämtar ändringar … 12 400 av 100 000');
    expect(line('en')).toBe('Fetching changes … 12,400 of 100,000');
  });
});

describe('new-order line checks', () => {
  const line = { key: 1, priceItemId: null, code: '101', description: 'x', quantity: '1', unitPrice: '695,00', discount: '', vatCode: 'exempt' as const, clinician: '' };
  it('refuses negative and fractional quantities and keeps the text', () => {
    expect(checkLine({ ...line, quantity: '-2' }).errors.quantity).toBe('error.quantity');
    expect(checkLine({ ...line, quantity: '1.5' }).errors.quantity).toBe('error.quantity');
    expect(checkLine({ ...line, quantity: '-2' }).amount).toBeNull();
  });
  it('computes the line amount in öre with the discount', () => {
    expect(checkLine({ ...line, quantity: '2', discount: '10' }).amount).toBe(125_100);
    expect(checkLine({ ...line, discount: '101' }).errors.discount).toBe('error.discount');
    expect(checkLine({ ...line, unitPrice: '12,345' }).errors.unitPrice).toBe('error.amount');
  });
});

describe('small desk helpers', () => {
  it('turns Swedish mobile numbers into E.164', () => {
    expect(toE164('070-123 45 67')).toBe('+46701234567');
    expect(toE164('0046 70 1234567')).toBe('+46701234567');
    expect(toE164('')).toBeNull();
  });
  it('routes only known screens and ids', () => {
    expect(parseRoute('#/orders/new')).toEqual({ name: 'newOrder' });
    expect(parseRoute('#/notices')).toEqual({ name: 'notices' });
    expect(parseRoute('#/orders/6f1c0a52-6b1d-4c36-9d8e-1f2a3b4c5d6e')).toEqual({ name: 'order', id: '6f1c0a52-6b1d-4c36-9d8e-1f2a3b4c5d6e' });
    expect(parseRoute('#/orders/../../etc')).toEqual({ name: 'orders' });
    expect(parseRoute('#token=abc')).toEqual({ name: 'orders' });
  });
});
