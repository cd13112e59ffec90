import { useState, type FormEvent } from 'react';
import { parsePersonnummer } from '../../../src-shared/domain/personnummer';
import { ErrorBox, Field, Notice, Select, useApi } from '../../ui/components';
import { errorBody, useI18n, isMessageKey } from '../../ui/i18n';
import { toE164 } from '../../ui/phone';


interface Draft {
  personnummer: string;
  firstName: string;
  lastName: string;
  phone: string;
  email: string;
  street: string;
  postalCode: string;
  city: string;
  language: 'sv' | 'en';
  smsConsent: boolean;
}
const EMPTY: Draft = { personnummer: '', firstName: '', lastName: '', phone: '', email: '', street: '', postalCode: '', city: '', language: 'sv', smsConsent: true };

/** Registers a patient: the personnummer is checked as it is typed; the address can be fetched. */
export function PatientForm({ onCreated, initialSearch }: { onCreated: (id: string) => void; initialSearch?: string }) {
  const api = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const [d, setD] = useState<Draft>(() => ({ ...EMPTY, personnummer: /^[\d\s+-]{10,13}$/.test(initialSearch ?? '') ? (initialSearch ?? '') : '' }));
  const [touchedPn, setTouchedPn] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [lookup, setLookup] = useState<'idle' | 'busy' | 'none' | 'done'>('idle');
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<Draft>) => setD((prev) => ({ ...prev, ...patch }));

  const pn = d.personnummer.trim() === '' ? null : parsePersonnummer(d.personnummer);
  const pnError = pn && !pn.ok && (touchedPn || d.personnummer.replace(/\D/g, '').length >= 10) ? pn.error.code : null;
  const pnText = pnError ? (isMessageKey(`error.${pnError}`) ? t(`error.${pnError}` as 'error.checksum') : pn && !pn.ok ? pn.error.message : '') : null;
  const serverField = error ? errorBody(error).field : undefined;
  const fieldError = (name: string) => (serverField && (serverField === name || serverField.endsWith(`.${name}`)) ? i18n.error(error) : null);

  const doLookup = async () => {
    if (!pn?.ok) return;
    setLookup('busy');
    try {
      const found = await api['patients.lookupAddress']({ personnummer: pn.value.canonical });
      if (!found) return setLookup('none');
      set({
        firstName: d.firstName || found.firstName,
        lastName: d.lastName || found.lastName,
        ...(found.address ? { street: found.address.street, postalCode: found.address.postalCode, city: found.address.city } : {}),
      });
      setLookup('done');
    } catch (e) {
      setError(e);
      setLookup('idle');
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    e.stopPropagation();
    setTouchedPn(true);
    if (!pn?.ok) return;
    setBusy(true);
    setError(null);
    try {
      const hasAddress = d.street.trim() || d.postalCode.trim() || d.city.trim();
      const res = await api['patients.create']({
        personnummer: pn.value.canonical,
        firstName: d.firstName,
        lastName: d.lastName,
        phone: toE164(d.phone),
        email: d.email.trim() || null,
        address: hasAddress ? { street: d.street, postalCode: d.postalCode, city: d.city, countryCode: 'SE' } : null,
        language: d.language,
        smsConsent: d.smsConsent,
      });
      onCreated(res.id);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="patient-form card" onSubmit={(e) => void submit(e)} aria-label={t('patient.register')} data-testid="patient-form">
      <h3>{t('newOrder.registerPatient')}</h3>
      <div className="row">
        <Field
          label={t('patient.personnummer')}
          name="personnummer"
          autoFocus
          autoComplete="off"
          value={d.personnummer}
          onChange={(e) => set({ personnummer: e.target.value })}
          onBlur={() => setTouchedPn(true)}
          error={pnText ?? fieldError('personnummer')}
          hint={pn?.ok ? t('patient.pnValid', { display: pn.value.display }) : null}
          required
        />
        <button type="button" className="secondary align-end" disabled={!pn?.ok || lookup === 'busy'} onClick={() => void doLookup()}>
          {lookup === 'busy' ? t('patient.lookupBusy') : t('patient.lookup')}
        </button>
      </div>
      {lookup === 'none' ? <Notice>{t('patient.lookupNone')}</Notice> : null}
      {lookup === 'done' ? <Notice kind="ok">{t('patient.lookupDone')}</Notice> : null}
      <div className="row">
        <Field label={t('patient.firstName')} name="firstName" value={d.firstName} onChange={(e) => set({ firstName: e.target.value })} required error={fieldError('firstName')} />
        <Field label={t('patient.lastName')} name="lastName" value={d.lastName} onChange={(e) => set({ lastName: e.target.value })} required error={fieldError('lastName')} />
      </div>
      <div className="row">
        <Field label={t('patient.phone')} name="phone" type="tel" value={d.phone} onChange={(e) => set({ phone: e.target.value })} error={fieldError('phone')} />
        <Field label={t('patient.email')} name="email" type="email" value={d.email} onChange={(e) => set({ email: e.target.value })} error={fieldError('email')} />
      </div>
      <div className="row">
        <Field label={t('patient.street')} name="street" value={d.street} onChange={(e) => set({ street: e.target.value })} error={fieldError('street')} />
        <Field label={t('patient.postalCode')} name="postalCode" value={d.postalCode} onChange={(e) => set({ postalCode: e.target.value })} error={fieldError('postalCode')} className="narrow" />
        <Field label={t('patient.city')} name="city" value={d.city} onChange={(e) => set({ city: e.target.value })} error={fieldError('city')} />
      </div>
      <div className="row">
        <Select label={t('patient.language')} value={d.language} onChange={(e) => set({ language: e.target.value === 'en' ? 'en' : 'sv' })}>
          <option value="sv">{t('lang.sv')}</option>
          <option value="en">{t('lang.en')}</option>
        </Select>
        <label className="check align-end">
          <input type="checkbox" checked={d.smsConsent} onChange={(e) => set({ smsConsent: e.target.checked })} /> {t('patient.smsConsent')}
        </label>
      </div>
      {error ? <ErrorBox error={error} /> : null}
      <button type="submit" className="primary" disabled={busy}>
        {t('patient.register')}
      </button>
    </form>
  );
}
