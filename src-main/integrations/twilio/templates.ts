import type { CalendarDate } from '../../../src-shared/domain/dates';
import { formatSek, type Ore } from '../../../src-shared/domain/money';
import { err, ok, type Result } from '../../../src-shared/domain/result';
import type { Language } from '../../../src-shared/schemas/enums';
import { SMS_PLACEHOLDERS, templatePlaceholders, validateSmsTemplate, type ProviderSettings, type SmsTemplateKey } from '../../../src-shared/schemas/providers';

/**
 * Patient SMS. Only what the patient needs to act: clinic, amount, dates, OCR, link. Never a
 * treatment, diagnosis or line item (domain.md) — the placeholder whitelist makes that structural.
 */
export const DEFAULT_SMS_TEMPLATES: Readonly<Record<SmsTemplateKey, Readonly<Record<Language, string>>>> = {
  invoice_issued: {
    sv: '{clinic}: Din faktura på {amount} förfaller {dueDate}. OCR: {ocr}. Betala eller välj delbetalning: {link}',
    en: '{clinic}: Your invoice of {amount} is due {dueDate}. OCR: {ocr}. Pay or choose installments: {link}',
  },
  payment_received: {
    sv: '{clinic}: Tack! Vi har tagit emot din betalning på {amount} (OCR {ocr}).',
    en: '{clinic}: Thank you! We have received your payment of {amount} (OCR {ocr}).',
  },
  installment_plan_started: {
    sv: '{clinic}: Din delbetalning på {months} månader har startat. Att betala per månad: {monthlyAmount}, effektiv ränta {effectiveRate}. Villkor: {link}',
    en: '{clinic}: Your {months}-month installment plan has started. Monthly payment: {monthlyAmount}, effective annual rate {effectiveRate}. Terms: {link}',
  },
  reminder_before_due: {
    sv: '{clinic}: Påminnelse: din faktura på {amount} förfaller {dueDate}. OCR: {ocr}. {link}',
    en: '{clinic}: Reminder: your invoice of {amount} is due {dueDate}. OCR: {ocr}. {link}',
  },
  overdue: {
    sv: '{clinic}: Din faktura på {amount} förföll {dueDate} och är obetald. Betala snarast med OCR {ocr}: {link}',
    en: '{clinic}: Your invoice of {amount} was due {dueDate} and is unpaid. Please pay now using OCR {ocr}: {link}',
  },
  cancelled: {
    sv: '{clinic}: Din faktura med OCR {ocr} är makulerad. Du behöver inte betala den.',
    en: '{clinic}: Your invoice with OCR {ocr} has been cancelled. You do not need to pay it.',
  },
  credited: {
    sv: '{clinic}: Din faktura med OCR {ocr} har krediterats med {amount}.',
    en: '{clinic}: Your invoice with OCR {ocr} has been credited with {amount}.',
  },
};

/** Typed values; formatting happens here so every SMS formats money and dates the same way. */
export interface SmsValues {
  clinic?: string;
  amount?: Ore;
  monthlyAmount?: Ore;
  dueDate?: CalendarDate;
  ocr?: string;
  link?: string;
  months?: number;
  /** Fraction: 0.151 → "15,1 %". */
  effectiveRate?: number;
}

export interface TemplateError {
  readonly code: 'sms.template_invalid' | 'sms.value_missing' | 'sms.value_invalid';
  readonly message: string;
  readonly field?: string;
}

function formatDate(date: CalendarDate, language: Language): string {
  const [y, m, d] = date.split('-').map(Number);
  const utc = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1));
  return new Intl.DateTimeFormat(language === 'sv' ? 'sv-SE' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(utc);
}

function formatRate(rate: number, language: Language): string {
  return new Intl.NumberFormat(language === 'sv' ? 'sv-SE' : 'en-GB', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 2 }).format(rate);
}

function formatValue(name: string, values: SmsValues, language: Language): string | undefined {
  switch (name) {
    case 'amount':
    case 'monthlyAmount': {
      const v = values[name];
      return v === undefined ? undefined : formatSek(v, language);
    }
    case 'dueDate':
      return values.dueDate === undefined ? undefined : formatDate(values.dueDate, language);
    case 'effectiveRate':
      return values.effectiveRate === undefined ? undefined : formatRate(values.effectiveRate, language);
    case 'months':
      return values.months === undefined ? undefined : String(values.months);
    case 'clinic':
    case 'ocr':
    case 'link': {
      const v = values[name];
      return v === undefined ? undefined : v.replace(/\s+/g, ' ').trim();
    }
    default:
      return undefined;
  }
}

/** Settings override (validated again here: a hand-edited settings file is outside input). */
export function templateFor(key: SmsTemplateKey, language: Language, overrides: ProviderSettings['sms']['templates'] = {}): Result<string, TemplateError> {
  const custom = overrides[key]?.[language];
  if (custom === undefined) return ok(DEFAULT_SMS_TEMPLATES[key][language]);
  const problems = validateSmsTemplate(key, custom);
  if (problems.length) return err({ code: 'sms.template_invalid', message: `SMS template ${key}/${language}: ${problems.join('; ')}`, field: `sms.templates.${key}.${language}` });
  return ok(custom);
}

export function renderSms(key: SmsTemplateKey, language: Language, values: SmsValues, overrides?: ProviderSettings['sms']['templates']): Result<string, TemplateError> {
  const template = templateFor(key, language, overrides);
  if (!template.ok) return template;
  if (values.ocr !== undefined && !/^\d{2,25}$/.test(values.ocr)) return err({ code: 'sms.value_invalid', message: 'The OCR reference must be 2–25 digits', field: 'ocr' });
  if (values.link !== undefined && !/^https:\/\/\S+$/.test(values.link)) return err({ code: 'sms.value_invalid', message: 'The payment link must be an https URL', field: 'link' });
  const allowed = SMS_PLACEHOLDERS[key];
  const formatted = new Map<string, string>();
  for (const name of templatePlaceholders(template.value)) {
    if (!allowed.includes(name)) return err({ code: 'sms.template_invalid', message: `Placeholder {${name}} is not allowed in ${key}`, field: name });
    const v = formatValue(name, values, language);
    if (v === undefined || v === '') return err({ code: 'sms.value_missing', message: `The SMS ${key} needs a value for {${name}}`, field: name });
    formatted.set(name, v);
  }
  const body = template.value.replace(/\{(\w+)\}/g, (_m, name: string) => formatted.get(name) ?? '');
  if (body.length > 1600) return err({ code: 'sms.value_invalid', message: 'The SMS is longer than 1600 characters' });
  return ok(body);
}
