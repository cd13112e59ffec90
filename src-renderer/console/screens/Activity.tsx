import { useEffect, useState } from 'react';
import { z } from 'zod';
import { AccountView } from '../../../src-shared/schemas/accounts';
import { ActivityPage, ChainVerification, ClinicView } from '../../../src-shared/schemas/console';
import { call, fieldError } from '../api';
import { useI18n, type MessageKey } from '../i18n';
import { Badge, ErrorBox, Field, Ok, Select, useAction } from '../parts';

const LIMIT = 100;

/** The activity of every chain, filterable, and the chain verification. */
export function ActivityScreen() {
  const { t, dateTime } = useI18n();
  const [clinics, setClinics] = useState<ClinicView[]>([]);
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const [f, setF] = useState({ clinicId: '', userId: '', action: '', country: '', from: '', to: '' });
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<ActivityPage | null>(null);
  const [verification, setVerification] = useState<ChainVerification | null>(null);
  const list = useAction();
  const verify = useAction();
  const load = (at = 0) =>
    list.run(async () => {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(f)) if (v.trim()) p.set(k, k === 'country' ? v.trim().toUpperCase().replace('OKÄNT', 'unknown').replace('UNKNOWN', 'unknown') : v.trim());
      p.set('limit', String(LIMIT));
      p.set('offset', String(at));
      setOffset(at);
      setPage(await call(ActivityPage, 'GET', `/activity?${p.toString()}`));
    });
  useEffect(() => {
    void list.run(async () => setClinics((await call(z.object({ clinics: z.array(ClinicView) }), 'GET', '/clinics')).clinics));
    void call(z.object({ users: z.array(AccountView) }), 'GET', '/users')
      .then((r) => setNames(new Map(r.users.map((u) => [u.id, u.username]))))
      .catch(() => undefined);
    void load();
  }, []);
  const clinicName = (id: string) => clinics.find((c) => c.id === id)?.name ?? (id === 'service' ? '–' : id.slice(0, 8));
  const runVerify = () => verify.run(async () => setVerification(await call(ChainVerification, 'POST', '/activity/verify')));
  const broken = verification?.chains.filter((c) => !c.ok) ?? [];
  return (
    <section>
      <h2>{t('activity')}</h2>
      <div className="card">
        <button type="button" className="primary" onClick={() => void runVerify()} disabled={verify.busy}>{t('verify')}</button>
        <ErrorBox error={verify.error} />
        {verification ? (
          verification.ok ? (
            <Ok><span data-testid="verify-result">{t('verifyOk', { n: verification.chains.length })}</span></Ok>
          ) : (
            <div className="notice notice-error" role="alert" data-testid="verify-result">
              {broken.map((c) => <p key={c.chainId}>{t('verifyBroken', { chain: c.chainId, seq: c.seq ?? '?', problem: t(`problem_${c.problem ?? 'hash_mismatch'}` as MessageKey) })}</p>)}
            </div>
          )
        ) : null}
      </div>
      <form className="card grid" onSubmit={(e) => { e.preventDefault(); void load(0); }}>
        <Select label={t('clinic')} value={f.clinicId} onChange={(e) => setF({ ...f, clinicId: e.target.value })}>
          <option value="">{t('allClinics')}</option>
          {clinics.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </Select>
        <Field label={t('user')} value={f.userId} onChange={(e) => setF({ ...f, userId: e.target.value })} placeholder="uuid" error={fieldError(list.error, 'userId')} />
        <Field label={t('action')} value={f.action} onChange={(e) => setF({ ...f, action: e.target.value })} placeholder="auth.login, order." error={fieldError(list.error, 'action')} />
        <Field label={t('country')} value={f.country} onChange={(e) => setF({ ...f, country: e.target.value })} placeholder="SE" error={fieldError(list.error, 'country')} />
        <Field label={t('from')} type="date" value={f.from} onChange={(e) => setF({ ...f, from: e.target.value })} error={fieldError(list.error, 'from')} />
        <Field label={t('to')} type="date" value={f.to} onChange={(e) => setF({ ...f, to: e.target.value })} error={fieldError(list.error, 'to')} />
        <button type="submit">{t('filter')}</button>
      </form>
      <ErrorBox error={list.error} />
      {page ? <p className="muted">{t('hits', { n: page.total })}</p> : null}
      <table data-testid="activity">
        <thead>
          <tr><th>{t('when')}</th><th>{t('clinic')}</th><th>{t('action')}</th><th>{t('outcome')}</th><th>{t('user')}</th><th>{t('country')}</th><th>{t('subject')}</th><th>{t('details')}</th></tr>
        </thead>
        <tbody>
          {(page?.rows ?? []).map((r) => (
            <tr key={`${r.chainId}:${r.seq}`}>
              <td>{dateTime(r.at)}</td>
              <td>{clinicName(r.clinicId)}</td>
              <td>{r.action}</td>
              <td><Badge kind={r.outcome === 'ok' ? 'ok' : r.outcome === 'refused' ? 'warn' : 'bad'}>{r.outcome}</Badge>{r.details.flagged === true ? <> <Badge kind="warn">⚑</Badge></> : null}</td>
              <td className={r.actorUserId && names.has(r.actorUserId) ? undefined : 'mono'}>{r.actorUserId ? (names.get(r.actorUserId) ?? r.actorUserId.slice(0, 8)) : '–'}</td>
              <td>{r.country ?? t('unknownCountry')}</td>
              <td className="mono">{r.subject ?? ''}</td>
              <td className="mono small">{Object.entries(r.details).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${String(v)}`).join(' ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page && page.total > LIMIT ? (
        <div className="row">
          <button type="button" disabled={offset === 0} onClick={() => void load(Math.max(0, offset - LIMIT))}>{t('prev')}</button>
          <button type="button" disabled={offset + LIMIT >= page.total} onClick={() => void load(offset + LIMIT)}>{t('next')}</button>
        </div>
      ) : null}
    </section>
  );
}
