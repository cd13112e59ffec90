import { useCallback, useEffect, useState } from 'react';
import { z } from 'zod';
import { ClinicView, DeviceView, EnrolmentCode } from '../../../src-shared/schemas/console';
import { call, fieldError } from '../api';
import { useI18n } from '../i18n';
import { Badge, ErrorBox, Field, Ok, useAction } from '../parts';

export function Clinics({ go }: { go: (path: string) => void }) {
  const { t, dateTime } = useI18n();
  const [clinics, setClinics] = useState<ClinicView[] | null>(null);
  const [name, setName] = useState('');
  const { busy, error, run } = useAction();
  const load = useCallback(() => run(async () => setClinics((await call(z.object({ clinics: z.array(ClinicView) }), 'GET', '/clinics')).clinics)), [run]);
  useEffect(() => {
    void load();
  }, []);
  const create = () =>
    run(async () => {
      const r = await call(z.object({ clinic: ClinicView }), 'POST', '/clinics', { name });
      setName('');
      go(`/clinics/${r.clinic.id}`);
    });
  return (
    <section>
      <h2>{t('clinics')}</h2>
      <form className="card row" onSubmit={(e) => { e.preventDefault(); void create(); }}>
        <Field label={t('newClinic')} value={name} onChange={(e) => setName(e.target.value)} error={fieldError(error, 'name')} />
        <button type="submit" className="primary" disabled={busy}>{t('create')}</button>
      </form>
      <ErrorBox error={error} />
      <table data-testid="clinics">
        <thead>
          <tr><th>{t('name')}</th><th>{t('status')}</th><th>{t('users')}</th><th>{t('devices')}</th><th>{t('orders')}</th><th>{t('created')}</th></tr>
        </thead>
        <tbody>
          {(clinics ?? []).map((c) => (
            <tr key={c.id} className="clickable" onClick={() => go(`/clinics/${c.id}`)}>
              <td><a href={`#/clinics/${c.id}`}>{c.name}</a></td>
              <td>{c.active ? <Badge kind="ok">{t('active')}</Badge> : <Badge kind="bad">{t('inactive')}</Badge>}</td>
              <td>{c.users}</td><td>{c.devices}</td><td>{c.orders}</td><td>{dateTime(c.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function ClinicDetail({ id, go }: { id: string; go: (path: string) => void }) {
  const { t, dateTime } = useI18n();
  const [clinic, setClinic] = useState<ClinicView | null>(null);
  const [devices, setDevices] = useState<DeviceView[]>([]);
  const [name, setName] = useState('');
  const [code, setCode] = useState<EnrolmentCode | null>(null);
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useAction();
  const load = useCallback(
    () =>
      run(async () => {
        const r = await call(z.object({ clinic: ClinicView, devices: z.array(DeviceView) }), 'GET', `/clinics/${id}`);
        setClinic(r.clinic);
        setName(r.clinic.name);
        setDevices(r.devices);
      }),
    [id, run],
  );
  useEffect(() => {
    void load();
  }, [id]);
  const patch = (body: Record<string, unknown>) =>
    run(async () => {
      setSaved(false);
      setClinic((await call(z.object({ clinic: ClinicView }), 'PATCH', `/clinics/${id}`, body)).clinic);
      setSaved(true);
    });
  const issue = () => run(async () => setCode(await call(EnrolmentCode, 'POST', `/clinics/${id}/enrolment-codes`, {})));
  const revoke = (deviceId: string) =>
    run(async () => {
      await call(z.object({ ok: z.boolean() }), 'POST', `/clinics/${id}/devices/${deviceId}/revoke`);
      await load();
    });
  if (!clinic) return <p>{error ? <ErrorBox error={error} /> : t('loading')}</p>;
  return (
    <section>
      <button type="button" className="link" onClick={() => go('/clinics')}>← {t('back')}</button>
      <h2 data-testid="clinic-name">{clinic.name} {clinic.active ? <Badge kind="ok">{t('active')}</Badge> : <Badge kind="bad">{t('inactive')}</Badge>}</h2>
      <form className="card row" onSubmit={(e) => { e.preventDefault(); void patch({ name }); }}>
        <Field label={t('name')} value={name} onChange={(e) => setName(e.target.value)} error={fieldError(error, 'name')} />
        <button type="submit" disabled={busy}>{t('save')}</button>
        <button type="button" onClick={() => void patch({ active: !clinic.active })} disabled={busy}>{clinic.active ? t('deactivate') : t('activate')}</button>
      </form>
      {saved ? <Ok>{t('saved')}</Ok> : null}
      <ErrorBox error={error} />
      <div className="card">
        <button type="button" className="primary" onClick={() => void issue()} disabled={busy || !clinic.active}>{t('issueCode')}</button>
        {code ? (
          <div className="code-box">
            <p>{t('codeShownOnce', { until: dateTime(code.expiresAt) })}</p>
            <code data-testid="enrolment-code">{code.code}</code>
          </div>
        ) : null}
      </div>
      <h3>{t('devices')}</h3>
      <table data-testid="devices">
        <thead>
          <tr><th>{t('deviceName')}</th><th>{t('enrolled')}</th><th>{t('lastSync')}</th><th>{t('status')}</th><th /></tr>
        </thead>
        <tbody>
          {devices.map((d) => (
            <tr key={d.id}>
              <td>{d.name}</td>
              <td>{dateTime(d.enrolledAt)}</td>
              <td>{d.lastSyncAt ? dateTime(d.lastSyncAt) : t('never')}</td>
              <td>{d.revokedAt ? <Badge kind="bad">{t('revoked')}</Badge> : <Badge kind="ok">{t('active')}</Badge>}</td>
              <td>{d.revokedAt ? null : <button type="button" onClick={() => void revoke(d.id)}>{t('revoke')}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
