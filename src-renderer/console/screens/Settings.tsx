import { useEffect, useState } from 'react';
import { z } from 'zod';
import { ServiceSettings, SmsTemplateName } from '../../../src-shared/schemas/accounts';
import { call, fieldError } from '../api';
import { useI18n } from '../i18n';
import { ErrorBox, Field, Ok, Select, useAction } from '../parts';

const Answer = z.object({ settings: ServiceSettings });
const MONTHS = [3, 6, 12, 18, 24] as const;

/** Numbers people type ("29,50") in kronor or percent; stored as öre or basis points. */
const toHundredths = (text: string): number => Math.round(Number(text.replace(/\s/g, '').replace(',', '.')) * 100);
const fromHundredths = (n: number): string => (n / 100).toString().replace('.', ',');

export function SettingsScreen() {
  const { t } = useI18n();
  const [s, setS] = useState<ServiceSettings | null>(null);
  const [text, setText] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useAction();
  const adopt = (v: ServiceSettings) => {
    setS(v);
    setText({
      interest: fromHundredths(v.installments.annualInterestBp), setupFee: fromHundredths(v.installments.setupFee), monthlyFee: fromHundredths(v.installments.monthlyFee),
      reminderFee: fromHundredths(v.reminderFee), lateInterest: fromHundredths(v.lateInterestMarginBp), referenceRate: fromHundredths(v.referenceRateBp),
      countries: v.countries.allowedCountries.join(', '),
    });
  };
  useEffect(() => {
    void run(async () => adopt((await call(Answer, 'GET', '/settings')).settings));
  }, []);
  if (!s) return error ? <ErrorBox error={error} /> : <p>{t('loading')}</p>;
  const save = () =>
    run(async () => {
      setSaved(false);
      const body: ServiceSettings = {
        ...s,
        installments: { ...s.installments, annualInterestBp: toHundredths(text.interest ?? ''), setupFee: toHundredths(text.setupFee ?? ''), monthlyFee: toHundredths(text.monthlyFee ?? '') },
        reminderFee: toHundredths(text.reminderFee ?? ''),
        lateInterestMarginBp: toHundredths(text.lateInterest ?? ''),
        referenceRateBp: toHundredths(text.referenceRate ?? ''),
        countries: { ...s.countries, allowedCountries: (text.countries ?? '').split(/[\s,;]+/).filter(Boolean).map((c) => c.toUpperCase()) },
      };
      adopt((await call(Answer, 'PUT', '/settings', body)).settings);
      setSaved(true);
    });
  const num = (key: string) => ({ value: text[key] ?? '', onChange: (e: { target: { value: string } }) => setText({ ...text, [key]: e.target.value }), inputMode: 'decimal' as const });
  const int = (get: number, set: (n: number) => void) => ({ type: 'number', value: String(get), onChange: (e: { target: { value: string } }) => set(Number(e.target.value)) });
  return (
    <form onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <h2>{t('settings')}</h2>
      <fieldset className="card">
        <legend>{t('installments')}</legend>
        <div className="row" role="group" aria-label={t('months')}>
          <span>{t('months')}:</span>
          {MONTHS.map((m) => (
            <label key={m} className="check">
              <input
                type="checkbox"
                checked={s.installments.months.includes(m)}
                onChange={(e) => setS({ ...s, installments: { ...s.installments, months: e.target.checked ? [...s.installments.months, m].sort((a, b) => a - b) : s.installments.months.filter((x) => x !== m) } })}
              /> {m}
            </label>
          ))}
        </div>
        {fieldError(error, 'installments.months') ? <small className="field-error" role="alert">{fieldError(error, 'installments.months')}</small> : null}
        <div className="grid">
          <Field label={t('interest')} {...num('interest')} error={fieldError(error, 'installments.annualInterestBp')} />
          <Field label={t('setupFee')} {...num('setupFee')} error={fieldError(error, 'installments.setupFee')} />
          <Field label={t('monthlyFee')} {...num('monthlyFee')} error={fieldError(error, 'installments.monthlyFee')} />
        </div>
      </fieldset>
      <fieldset className="card grid">
        <legend>{t('remindersTitle')}</legend>
        <Field label={t('reminderFee')} {...num('reminderFee')} error={fieldError(error, 'reminderFee')} />
        <Field label={t('lateInterest')} {...num('lateInterest')} error={fieldError(error, 'lateInterestMarginBp')} />
        <Field label={t('referenceRate')} {...num('referenceRate')} error={fieldError(error, 'referenceRateBp')} />
      </fieldset>
      <fieldset className="card">
        <legend>{t('countriesTitle')}</legend>
        <div className="grid">
          <Field label={t('allowedCountries')} {...num('countries')} inputMode="text" error={fieldError(error, 'countries.allowedCountries')} />
          <Select label={t('outsidePolicy')} value={s.countries.outside} onChange={(e) => setS({ ...s, countries: { ...s.countries, outside: e.target.value === 'flag' ? 'flag' : 'refuse' } })}>
            <option value="refuse">{t('policy_refuse')}</option>
            <option value="flag">{t('policy_flag')}</option>
          </Select>
          <Select label={t('unknownPolicy')} value={s.countries.unknown} onChange={(e) => setS({ ...s, countries: { ...s.countries, unknown: z.enum(['allow', 'flag', 'refuse']).parse(e.target.value) } })}>
            <option value="allow">{t('policy_allow')}</option>
            <option value="flag">{t('policy_flag')}</option>
            <option value="refuse">{t('policy_refuse')}</option>
          </Select>
        </div>
      </fieldset>
      <fieldset className="card grid">
        <legend>{t('sessions')}</legend>
        <Field label={t('consoleIdle')} {...int(s.sessions.consoleIdleMinutes, (n) => setS({ ...s, sessions: { ...s.sessions, consoleIdleMinutes: n } }))} error={fieldError(error, 'sessions.consoleIdleMinutes')} />
        <Field label={t('consoleMax')} {...int(s.sessions.consoleMaxHours, (n) => setS({ ...s, sessions: { ...s.sessions, consoleMaxHours: n } }))} error={fieldError(error, 'sessions.consoleMaxHours')} />
        <Field label={t('offlineHours')} {...int(s.sessions.offlineLoginHours, (n) => setS({ ...s, sessions: { ...s.sessions, offlineLoginHours: n } }))} error={fieldError(error, 'sessions.offlineLoginHours')} />
      </fieldset>
      <fieldset className="card grid">
        <legend>{t('lockout')}</legend>
        <Field label={t('maxFailures')} {...int(s.lockout.maxFailures, (n) => setS({ ...s, lockout: { ...s.lockout, maxFailures: n } }))} error={fieldError(error, 'lockout.maxFailures')} />
        <Field label={t('baseLock')} {...int(s.lockout.baseLockSeconds, (n) => setS({ ...s, lockout: { ...s.lockout, baseLockSeconds: n } }))} error={fieldError(error, 'lockout.baseLockSeconds')} />
        <Field label={t('maxLock')} {...int(s.lockout.maxLockSeconds, (n) => setS({ ...s, lockout: { ...s.lockout, maxLockSeconds: n } }))} error={fieldError(error, 'lockout.maxLockSeconds')} />
      </fieldset>
      <fieldset className="card">
        <legend>{t('smsTemplates')}</legend>
        {SmsTemplateName.options.map((name) => (
          <div key={name} className="template">
            <strong>{name}</strong>
            {(['sv', 'en'] as const).map((lang) => (
              <label key={lang} className="field">
                <span>{lang.toUpperCase()}</span>
                <textarea
                  rows={2}
                  value={s.smsTemplates[name]?.[lang] ?? ''}
                  onChange={(e) => setS({ ...s, smsTemplates: { ...s.smsTemplates, [name]: { ...(s.smsTemplates[name] ?? { sv: '', en: '' }), [lang]: e.target.value } } })}
                />
                {fieldError(error, `smsTemplates.${name}.${lang}`) ? <small className="field-error" role="alert">{fieldError(error, `smsTemplates.${name}.${lang}`)}</small> : null}
              </label>
            ))}
          </div>
        ))}
      </fieldset>
      <ErrorBox error={error} />
      {saved ? <Ok>{t('saved')}</Ok> : null}
      <button type="submit" className="primary" disabled={busy}>{t('save')}</button>
    </form>
  );
}
