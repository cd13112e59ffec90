import { useEffect, useState } from 'react';
import type { PatientDetail, PatientSummary } from '../../../src-shared/api';
import { formatPersonnummer } from '../../../src-shared/domain/personnummer';
import { ErrorBox, Notice, Select, StatusBadge, useApi } from '../../ui/components';
import { useI18n } from '../../ui/i18n';
import { navigate } from '../router';
import { PatientForm } from './PatientForm';

export function Patients() {
  const api = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const [search, setSearch] = useState('');
  const [items, setItems] = useState<PatientSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [registering, setRegistering] = useState(false);

  useEffect(() => {
    const timer = setTimeout(() => {
      api['patients.list']({ search: search.slice(0, 200), limit: 100 }).then((p) => {
        setItems(p.items);
        setCursor(p.nextCursor);
        setError(null);
      }, setError);
    }, 120);
    return () => clearTimeout(timer);
  }, [api, search]);

  const more = () =>
    api['patients.list']({ search: search.slice(0, 200), limit: 100, cursor }).then((p) => {
      setItems((prev) => prev.concat(p.items));
      setCursor(p.nextCursor);
    }, setError);

  return (
    <div className="screen patients">
      <div className="screen-head">
        <h1>{t('patients.title')}</h1>
        <span className="spacer" />
        <button type="button" className="secondary" onClick={() => setRegistering((r) => !r)}>{t('newOrder.registerPatient')}</button>
      </div>
      {registering ? <PatientForm onCreated={(id) => navigate({ name: 'patient', id })} /> : null}
      <div className="field">
        <label htmlFor="p-search">{t('patients.search')} <kbd>/</kbd></label>
        <input id="p-search" data-search type="search" value={search} maxLength={200} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <ErrorBox error={error} />
      <table className="list">
        <thead>
          <tr>
            <th>{t('patients.col.name')}</th><th>{t('patients.col.pn')}</th><th>{t('patients.col.phone')}</th><th>{t('patients.col.sms')}</th><th className="num">{t('patients.col.balance')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <tr key={p.id}>
              <td><a href={`#/patients/${p.id}`}>{p.lastName}, {p.firstName}</a></td>
              <td>{formatPersonnummer(p.personnummer)}</td>
              <td>{p.phone ?? '—'}</td>
              <td>{p.smsBlockedReason ? <span className="tag tag-bad">{p.smsBlockedReason}</span> : p.smsConsent ? t('common.yes') : t('common.no')} · {p.language}</td>
              <td className="num">{i18n.money(p.balance)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 ? <p className="empty">{t('common.none')}</p> : null}
      {cursor ? <button type="button" onClick={() => void more()}>{t('patients.more')}</button> : null}
    </div>
  );
}

export function PatientDetailScreen({ id }: { id: string }) {
  const api = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const [detail, setDetail] = useState<PatientDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    api['patients.get']({ id }).then(setDetail, setError);
  }, [api, id]);
  if (!detail) return <div className="screen">{error ? <ErrorBox error={error} /> : t('common.loading')}</div>;
  const p = detail.patient;

  const update = async (patch: { smsConsent?: boolean; language?: 'sv' | 'en' }) => {
    setSaved(false);
    try {
      await api['patients.update']({ id: p.id, patch });
      setDetail({ ...detail, patient: { ...p, ...patch } });
      setSaved(true);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <div className="screen patient-detail">
      <div className="screen-head">
        <h1>{p.firstName} {p.lastName}</h1>
        <span className="muted">{formatPersonnummer(p.personnummer)}</span>
        <span className="spacer" />
        <a className="button primary" href="#/orders/new">{t('nav.newOrder')}</a>
      </div>
      {saved ? <Notice kind="ok">{t('common.saved')}</Notice> : null}
      <ErrorBox error={error} />
      <div className="grid2">
        <section className="card">
          <dl className="kv">
            <dt>{t('patient.phone')}</dt><dd>{p.phone ?? '—'}</dd>
            <dt>{t('patient.email')}</dt><dd>{p.email ?? '—'}</dd>
            <dt>{t('patient.street')}</dt><dd>{p.address ? `${p.address.street}, ${p.address.postalCode} ${p.address.city}` : '—'}</dd>
            <dt>{t('patient.balance')}</dt><dd data-testid="patient-balance">{i18n.money(detail.balance)}</dd>
          </dl>
        </section>
        <section className="card">
          <label className="check">
            <input type="checkbox" checked={p.smsConsent} onChange={(e) => void update({ smsConsent: e.target.checked })} /> {t('patient.smsConsent')}
          </label>
          {p.smsBlockedReason ? <p><span className="tag tag-bad">{t('patient.smsBlocked', { reason: p.smsBlockedReason })}</span></p> : null}
          <Select label={t('patient.language')} value={p.language} onChange={(e) => void update({ language: e.target.value === 'en' ? 'en' : 'sv' })}>
            <option value="sv">{t('lang.sv')}</option>
            <option value="en">{t('lang.en')}</option>
          </Select>
        </section>
      </div>
      <section className="card">
        <h2>{t('patient.orders')}</h2>
        <table className="list">
          <thead><tr><th>{t('orders.col.number')}</th><th>{t('orders.col.created')}</th><th>{t('orders.col.status')}</th><th className="num">{t('orders.col.total')}</th><th className="num">{t('orders.col.balance')}</th></tr></thead>
          <tbody>
            {detail.orders.map((o) => (
              <tr key={o.id}>
                <td><a href={`#/orders/${o.id}`}>{o.orderNumber}</a></td>
                <td>{i18n.date(o.createdAt)}</td>
                <td><StatusBadge status={o.status} /></td>
                <td className="num">{i18n.money(o.total)}</td>
                <td className="num">{i18n.money(o.balance)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
