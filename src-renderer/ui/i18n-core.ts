import type { ApiErrorBody } from '../../src-shared/api';
import { formatSek } from '../../src-shared/domain/money';
import { en, sv, type MessageKey } from './messages';

/** Translation and formatting without React or the DOM (the provider lives in i18n.tsx). */
export type Language = 'sv' | 'en';
export type { MessageKey };
const CATALOGS: Record<Language, Record<MessageKey, string>> = { sv, en };
const LOCALES: Record<Language, string> = { sv: 'sv-SE', en: 'en-GB' };

export type Params = Readonly<Record<string, string | number>>;

export function translate(language: Language, key: MessageKey, params?: Params): string {
  const text = CATALOGS[language][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(sv, key);
}

export interface I18n {
  readonly language: Language;
  setLanguage(language: Language): void;
  t(key: MessageKey, params?: Params): string;
  /** sv-SE SEK from integer öre ("1 234,50 kr"). */
  money(ore: number): string;
  date(iso: string | null | undefined): string;
  dateTime(iso: string | null | undefined): string;
  percent(fraction: number): string;
  /** A whole count with the language's grouping ("12 400" / "12,400"). */
  count(n: number): string;
  /** A failed call in plain language: the code translated, the field named. */
  error(e: unknown): string;
}


export function errorBody(e: unknown): ApiErrorBody {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const o = e as { code: unknown; message: unknown; field?: unknown };
    const body: ApiErrorBody = { code: String(o.code), message: String(o.message) };
    if (typeof o.field === 'string') body.field = o.field;
    return body;
  }
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

export function makeI18n(language: Language, setLanguage: (l: Language) => void): I18n {
  const locale = LOCALES[language];
  const dateFmt = new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'Europe/Stockholm' });
  const dateTimeFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Stockholm' });
  const countFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const pctFmt = new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 2 });
  const t = (key: MessageKey, params?: Params) => translate(language, key, params);
  const fieldName = (field: string): string => {
    const last = field.split('.').filter((p) => !/^\d+$/.test(p)).pop() ?? field;
    const key = `field.${last}`;
    return isMessageKey(key) ? t(key) : last;
  };
  return {
    language,
    setLanguage,
    t,
    money: (ore) => formatSek(ore, language),
    date: (iso) => (iso ? dateFmt.format(new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso)) : '—'),
    dateTime: (iso) => (iso ? dateTimeFmt.format(new Date(iso)) : '—'),
    percent: (fraction) => pctFmt.format(fraction),
    count: (n) => countFmt.format(n),
    error(e) {
      const body = errorBody(e);
      const key = `error.${body.code}`;
      if (body.code === 'validation') {
        const message = body.message.includes(': ') ? body.message.slice(body.message.indexOf(': ') + 2) : body.message;
        return body.field ? t('error.validation', { field: fieldName(body.field), message }) : t('error.validationNoField', { message });
      }
      if (isMessageKey(key)) return t(key, { message: body.message });
      return t('error.unknown', { message: body.message });
    },
  };
}

