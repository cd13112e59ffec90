import { describe, expect, it } from 'vitest';
import { skipReason } from '../../../src-main/integrations/geoplugin/ip-ranges';
import { TokenBucket } from '../../../src-main/integrations/geoplugin/token-bucket';
import { buildCreateOrderBody, lineItemsBody } from '../../../src-main/integrations/paynova/order-body';
import { DEFAULT_SMS_TEMPLATES, renderSms } from '../../../src-main/integrations/twilio/templates';
import { fullJitterDelay } from '../../../src-main/jobs/backoff';
import { redactor } from '../../../src-main/jobs/provider-runner';
import { findSecretLike } from '../../../src-main/secrets/settings-store';
import { SmsTemplateKey } from '../../../src-shared/schemas/providers';

describe('full-jitter backoff', () => {
  it('stays within [0, min(cap, base·2^(n-1))]', () => {
    const p = { baseMs: 1000, capMs: 60_000 };
    expect(fullJitterDelay(1, p, () => 0.999)).toBe(999);
    expect(fullJitterDelay(3, p, () => 0.5)).toBe(2000);
    expect(fullJitterDelay(20, p, () => 0.999)).toBe(59_940);
    expect(fullJitterDelay(4, p, () => 0)).toBe(0);
  });
});

describe('token bucket', () => {
  it('allows the capacity at once, then one per period/capacity', () => {
    let now = 0;
    const b = new TokenBucket(3, 3000, () => now);
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
    now = 999;
    expect(b.take()).toBe(false);
    now = 1000;
    expect(b.take()).toBe(true);
    b.drain(10_000);
    now = 5000;
    expect(b.take()).toBe(false);
    now = 11_000;
    expect(b.take()).toBe(true);
  });
});

describe('IP ranges geoPlugin cannot know', () => {
  it.each(['10.0.0.1', '127.0.0.1', '169.254.1.1', '172.31.255.255', '192.168.0.1', '100.100.1.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::abcd', 'fc00::1', 'fdff::1', '::ffff:10.0.0.1'])('%s is skipped', (ip) => {
    expect(skipReason(ip)).toBe('private');
  });
  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('%s is looked up', (ip) => {
    expect(skipReason(ip)).toBeNull();
  });
  it('malformed input is skipped too', () => {
    expect(skipReason('999.1.1.1')).toBe('malformed');
  });
});

describe('Paynova order body', () => {
  it('sums totalLineAmount into totalAmount and derives VAT from öre', () => {
    const r = buildCreateOrderBody(
      {
        orderNumber: 'K-0001',
        description: 'Tandvård',
        customer: { governmentId: '198112189876', firstName: 'A', lastName: 'B' },
        lines: [
          { id: '1', articleNumber: 'A', name: 'Fyllning', quantity: 1, grossOre: 123_456, vatCode: 'exempt' },
          { id: '2', articleNumber: 'B', name: 'Blekning', quantity: 3, grossOre: 100_000, vatCode: 'se25' },
        ],
      },
      'desk',
      null,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.body.totalAmount).toBe('2234.56');
    const lines = r.value.body.lineItems as Record<string, unknown>[];
    expect(lines[0]).toMatchObject({ quantity: 1, unitAmountExcludingTax: '1234.56', taxPercent: 0, totalLineTaxAmount: '0.00', totalLineAmount: '1234.56' });
    // 1 000 kr incl. 25 %: 200 kr VAT, 800 kr net — not divisible by 3 in öre, so one unit named "3 ×".
    expect(lines[1]).toMatchObject({ quantity: 1, name: '3 × Blekning', unitAmountExcludingTax: '800.00', totalLineTaxAmount: '200.00', totalLineAmount: '1000.00', taxPercent: 25 });
  });

  it('refuses a personnummer that is not 12 digits, naming the field', () => {
    const r = buildCreateOrderBody({ orderNumber: 'K-0002', description: 'x', customer: { governmentId: '8112189876', firstName: 'A', lastName: 'B' }, lines: [{ id: '1', articleNumber: 'A', name: 'x', quantity: 1, grossOre: 100, vatCode: 'exempt' }] }, 'desk', null);
    expect(!r.ok && r.error.field).toBe('customer.governmentId');
  });

  it('splits a line evenly when the net divides into whole öre', () => {
    expect(lineItemsBody([{ id: '1', articleNumber: 'A', name: 'x', quantity: 2, grossOre: 250_000, vatCode: 'se25' }])[0]).toMatchObject({ quantity: 2, unitAmountExcludingTax: '1000.00' });
  });
});

describe('SMS templates', () => {
  const values = { clinic: 'Tandläkarna', amount: 345_000, monthlyAmount: 30_712, dueDate: '2026-12-06', ocr: '12345682', link: 'https://pay.example.se/x', months: 12, effectiveRate: 0.1512 };

  it.each(SmsTemplateKey.options.flatMap((k) => (['sv', 'en'] as const).map((l) => [k, l] as const)))('%s/%s renders with every placeholder filled', (key, lang) => {
    const r = renderSms(key, lang, values);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value).not.toMatch(/[{}]/);
      expect(r.value.length).toBeLessThanOrEqual(320);
    }
  });

  it('formats money and dates per language', () => {
    const sv = renderSms('invoice_issued', 'sv', values);
    const en = renderSms('invoice_issued', 'en', values);
    expect(sv.ok && sv.value).toMatch(/3\s450,00\skr förfaller 6 december 2026\. OCR: 12345682/u);
    expect(en.ok && en.value).toMatch(/is due 6 December 2026\. OCR: 12345682/);
    const plan = renderSms('installment_plan_started', 'sv', values);
    expect(plan.ok && plan.value).toMatch(/12 månader.*307,12\skr.*15,12\s%/u);
  });

  it('refuses to render without a required value, and validates OCR and link', () => {
    expect(renderSms('invoice_issued', 'sv', { ...values, link: undefined })).toMatchObject({ ok: false, error: { code: 'sms.value_missing', field: 'link' } });
    expect(renderSms('invoice_issued', 'sv', { ...values, ocr: '12ab' })).toMatchObject({ ok: false, error: { field: 'ocr' } });
    expect(renderSms('invoice_issued', 'sv', { ...values, link: 'http://insecure' })).toMatchObject({ ok: false, error: { field: 'link' } });
  });

  it('uses a valid override and refuses an invalid one', () => {
    expect(renderSms('cancelled', 'en', values, { cancelled: { en: 'Cancelled: {ocr}.' } })).toEqual({ ok: true, value: 'Cancelled: 12345682.' });
    expect(renderSms('cancelled', 'en', values, { cancelled: { en: 'Your {diagnosis} invoice {ocr}' } })).toMatchObject({ ok: false, error: { code: 'sms.template_invalid' } });
  });

  it('default templates use only whitelisted placeholders', () => {
    for (const key of SmsTemplateKey.options) for (const lang of ['sv', 'en'] as const) expect(DEFAULT_SMS_TEMPLATES[key][lang]).not.toMatch(/\{(treatment|diagnosis|line|item)/i);
  });
});

describe('secret detection and redaction', () => {
  it('finds secret-looking keys and values', () => {
    expect(findSecretLike({ paynova: { baseUrl: 'https://x' } })).toBeNull();
    expect(findSecretLike({ a: { apiPassword: 'x' } })).toBe('a.apiPassword');
    expect(findSecretLike({ a: { b: ['ok', 'AC0123456789abcdef0123456789abcdef'] } })).toBe('a.b.1');
    expect(findSecretLike({ url: 'https://user:pw@host' })).toBe('url');
    expect(findSecretLike({ a: { secretKey: '' } })).toBeNull(); // empty is not a secret
  });
  it('redacts every known secret value from a text', () => {
    const r = redactor(['s3cr3t-value', 'tok']);
    expect(r('failed with s3cr3t-value and tok')).toBe('failed with [redacted] and tok');
  });
});
