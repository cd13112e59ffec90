import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { SecretKey, type SettingsView, type SmsTemplates } from '../../../src-shared/api';
import { SmsTemplateKey } from '../../../src-shared/schemas/providers';
import { ErrorBox, Field, Notice, useApi } from '../../ui/components';
import { errorBody, useI18n, type MessageKey } from '../../ui/i18n';
import { useSession } from '../session';

const TEMPLATES = SmsTemplateKey.options;

export function Settings() {
  const api = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const session = useSession();
  const canWrite = session.user.role !== 'staff';
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const load = useCallback(() => api['settings.get']({}).then(setSettings, setError), [api]);
  useEffect(() => void load(), [load]);

  if (!settings) return <div className="screen">{error ? <ErrorBox error={error} /> : t('common.loading')}</div>;
  return (
    <div className="screen settings">
      <div className="screen-head"><h1>{t('settings.title')}</h1></div>
      <Notice kind={settings.providersMode === 'sandbox' ? 'warn' : 'info'}>{t(`settings.mode.${settings.providersMode}`)}</Notice>
      {saved ? <Notice kind="ok">{saved}</Notice> : null}
      <ErrorBox error={error} />
      <p className="muted">
        {t('settings.syncServer')}: {settings.syncServerUrl ?? '—'} · {t('settings.device', { id: settings.deviceId ?? '—' })}
      </p>
      <section className="card">
        <h2>{t('settings.secrets')}</h2>
        <p className="muted">{t('settings.secretsHelp')}</p>
        {SecretKey.options.map((key) => {
          const view = settings.secrets.find((s) => s.key === key);
          return <SecretRow key={key} secretKey={key} set={view?.set ?? false} masked={view?.masked ?? null} disabled={!canWrite} onSaved={() => (setSaved(t('common.saved')), void load())} />;
        })}
      </section>
      {settings.clinic && !settings.clinicEditable ? <Notice>{t('settings.clinicCentral')}</Notice> : null}
      {settings.clinic ? <ClinicForm settings={settings} disabled={!canWrite || !settings.clinicEditable} onSaved={() => (setSaved(t('common.saved')), void load())} /> : null}
      <TemplatesForm templates={settings.smsTemplates} disabled={!canWrite} onSaved={() => setSaved(t('common.saved'))} />
    </div>
  );
}

function SecretRow({ secretKey, set, masked, disabled, onSaved }: { secretKey: SecretKey; set: boolean; masked: string | null; disabled: boolean; onSaved: () => void }) {
  const api = useApi();
  const { t } = useI18n();
  const [value, setValue] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api['secrets.set']({ key: secretKey, value });
      setValue('');
      setError(null);
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="secret-row" onSubmit={(e) => void submit(e)} data-testid={`secret-${secretKey}`}>
      <span className="secret-name">{t(`secret.${secretKey}` as MessageKey)}</span>
      <span className="secret-state">{set ? t('settings.secretSet', { masked: masked ?? '' }) : t('settings.secretUnset')}</span>
      <input type="password" autoComplete="new-password" aria-label={`${t(`secret.${secretKey}` as MessageKey)}: ${t('settings.secretNew')}`} placeholder={t('settings.secretNew')} value={value} onChange={(e) => setValue(e.target.value)} disabled={disabled} />
      <button type="submit" disabled={disabled || value.trim() === ''}>{t('common.save')}</button>
      {set ? <button type="button" className="link" disabled={disabled} onClick={() => void api['secrets.clear']({ key: secretKey }).then(onSaved, setError)}>{t('settings.secretClear')}</button> : null}
      {error ? <ErrorBox error={error} /> : null}
    </form>
  );
}

function ClinicForm({ settings, disabled, onSaved }: { settings: SettingsView; disabled: boolean; onSaved: () => void }) {
  const api = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const c = settings.clinic!;
  const [d, setD] = useState({ name: c.name, organisationNumber: c.organisationNumber, vatNumber: c.vatNumber ?? '', bankgiro: c.bankgiro, phone: c.phone ?? '', email: c.email ?? '', street: c.address.street, postalCode: c.address.postalCode, city: c.address.city });
  const [error, setError] = useState<unknown>(null);
  const set = (patch: Partial<typeof d>) => setD((p) => ({ ...p, ...patch }));
  const fe = (f: string) => (error && errorBody(error).field?.endsWith(f) ? i18n.error(error) : null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api['settings.updateClinic']({
        name: d.name, organisationNumber: d.organisationNumber, vatNumber: d.vatNumber || null, bankgiro: d.bankgiro, phone: d.phone || null, email: d.email || null,
        address: { street: d.street, postalCode: d.postalCode, city: d.city, countryCode: 'SE' },
      });
      setError(null);
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)}>
      <h2>{t('settings.clinic')}</h2>
      <fieldset disabled={disabled}>
        <div className="row">
          <Field label={t('settings.clinicName')} value={d.name} onChange={(e) => set({ name: e.target.value })} error={fe('name')} />
          <Field label={t('settings.orgNo')} value={d.organisationNumber} onChange={(e) => set({ organisationNumber: e.target.value })} error={fe('organisationNumber')} />
          <Field label={t('settings.vatNo')} value={d.vatNumber} onChange={(e) => set({ vatNumber: e.target.value })} error={fe('vatNumber')} />
        </div>
        <div className="row">
          <Field label={t('patient.street')} value={d.street} onChange={(e) => set({ street: e.target.value })} error={fe('street')} />
          <Field label={t('patient.postalCode')} value={d.postalCode} onChange={(e) => set({ postalCode: e.target.value })} error={fe('postalCode')} className="narrow" />
          <Field label={t('patient.city')} value={d.city} onChange={(e) => set({ city: e.target.value })} error={fe('city')} />
        </div>
        <div className="row">
          <Field label={t('settings.bankgiro')} value={d.bankgiro} onChange={(e) => set({ bankgiro: e.target.value })} error={fe('bankgiro')} />
          <Field label={t('settings.phone')} value={d.phone} onChange={(e) => set({ phone: e.target.value })} error={fe('phone')} />
          <Field label={t('settings.email')} value={d.email} onChange={(e) => set({ email: e.target.value })} error={fe('email')} />
        </div>
        {error && !errorBody(error).field ? <ErrorBox error={error} /> : null}
        <button type="submit" className="primary">{t('common.save')}</button>
      </fieldset>
    </form>
  );
}

function TemplatesForm({ templates, disabled, onSaved }: { templates: SmsTemplates; disabled: boolean; onSaved: () => void }) {
  const api = useApi();
  const { t } = useI18n();
  const [draft, setDraft] = useState<SmsTemplates>(templates);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api['settings.updateSmsTemplates'](draft);
      setError(null);
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)}>
      <h2>{t('settings.sms')}</h2>
      <p className="muted">{t('settings.smsHelp')}</p>
      <fieldset disabled={disabled} className="templates">
        {(['sv', 'en'] as const).map((lang) => (
          <div key={lang}>
            <h3>{t(`lang.${lang}`)}</h3>
            {TEMPLATES.map((name) => (
              <div className="field" key={name}>
                <label htmlFor={`tpl-${lang}-${name}`}>{t(`sms.template.${name}` as MessageKey)}</label>
                <textarea id={`tpl-${lang}-${name}`} rows={2} maxLength={480} value={draft[name]?.[lang] ?? ''} onChange={(e) => setDraft({ ...draft, [name]: { ...draft[name], [lang]: e.target.value } })} />
              </div>
            ))}
          </div>
        ))}
      </fieldset>
      <ErrorBox error={error} />
      <button type="submit" className="primary" disabled={disabled}>{t('common.save')}</button>
    </form>
  );
}
