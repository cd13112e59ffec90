import { useEffect, useState } from 'react';
import { z } from 'zod';
import { AccountView } from '../../../src-shared/schemas/accounts';
import { ClinicView } from '../../../src-shared/schemas/console';
import { Role } from '../../../src-shared/schemas/enums';
import { call, fieldError } from '../api';
import { useI18n } from '../i18n';
import { Badge, ErrorBox, Field, Ok, Select, useAction } from '../parts';

const Users = z.object({ users: z.array(AccountView) });

export function UsersScreen() {
  const { t, dateTime } = useI18n();
  const [clinics, setClinics] = useState<ClinicView[]>([]);
  const [clinicFilter, setClinicFilter] = useState('');
  const [search, setSearch] = useState('');
  const [users, setUsers] = useState<AccountView[]>([]);
  const [form, setForm] = useState({ clinicId: '', username: '', displayName: '', role: 'staff', personnummer: '', password: '', pin: '' });
  const [notice, setNotice] = useState<string | null>(null);
  const list = useAction();
  const edit = useAction();

  const load = (clinic = clinicFilter, q = search) =>
    list.run(async () => {
      const params = new URLSearchParams();
      if (clinic) params.set('clinicId', clinic);
      if (q) params.set('search', q);
      setUsers((await call(Users, 'GET', `/users?${params.toString()}`)).users);
    });
  useEffect(() => {
    void list.run(async () => setClinics((await call(z.object({ clinics: z.array(ClinicView) }), 'GET', '/clinics')).clinics));
    void load();
  }, []);

  const clinicName = (id: string | null) => (id === null ? t('systemAdmins') : (clinics.find((c) => c.id === id)?.name ?? id));
  const create = () =>
    edit.run(async () => {
      await call(z.object({ user: AccountView }), 'POST', '/users', {
        clinicId: form.role === 'system_admin' ? null : form.clinicId || null, username: form.username, displayName: form.displayName, role: form.role,
        personnummer: form.personnummer.replace(/\D/g, '') || null, password: form.password, pin: form.pin, language: 'sv',
      });
      setNotice(t('saved'));
      setForm({ ...form, username: '', displayName: '', personnummer: '', password: '', pin: '' });
      await load();
    });
  const patch = (id: string, body: Record<string, unknown>) =>
    edit.run(async () => {
      await call(z.object({ user: AccountView }), 'PATCH', `/users/${id}`, body);
      setNotice(t('saved'));
      await load();
    });
  const remove = (u: AccountView) =>
    edit.run(async () => {
      if (!window.confirm(t('confirmRemove', { name: u.displayName }))) return;
      await call(z.object({ ok: z.boolean() }), 'DELETE', `/users/${u.id}`);
      setNotice(t('saved'));
      await load();
    });
  const reset = (id: string) =>
    edit.run(async () => {
      const r = await call(z.object({ password: z.string().nullable(), pin: z.string().nullable() }), 'POST', `/users/${id}/reset`, {});
      setNotice(t('resetDone', { password: r.password ?? '–', pin: r.pin ?? '–' }));
      await load();
    });

  return (
    <section>
      <h2>{t('users')}</h2>
      <form className="card row" onSubmit={(e) => { e.preventDefault(); void load(); }}>
        <Select label={t('clinic')} value={clinicFilter} onChange={(e) => { setClinicFilter(e.target.value); void load(e.target.value); }}>
          <option value="">{t('allClinics')}</option>
          <option value="none">{t('systemAdmins')}</option>
          {clinics.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </Select>
        <Field label={t('search')} value={search} onChange={(e) => setSearch(e.target.value)} />
        <button type="submit">{t('search')}</button>
      </form>
      <ErrorBox error={list.error} />
      <details className="card">
        <summary>{t('newUser')}</summary>
        <form onSubmit={(e) => { e.preventDefault(); void create(); }} className="grid">
          <Select label={t('role')} value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })} error={fieldError(edit.error, 'role')}>
            {Role.options.map((r) => <option key={r} value={r}>{t(`role_${r}`)}</option>)}
          </Select>
          {form.role !== 'system_admin' ? (
            <Select label={t('clinic')} value={form.clinicId} onChange={(e) => setForm({ ...form, clinicId: e.target.value })} error={fieldError(edit.error, 'clinicId')}>
              <option value="">–</option>
              {clinics.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            </Select>
          ) : null}
          <Field label={t('username')} value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} error={fieldError(edit.error, 'username')} />
          <Field label={t('displayName')} value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} error={fieldError(edit.error, 'displayName')} />
          <Field label={t('personnummer')} value={form.personnummer} onChange={(e) => setForm({ ...form, personnummer: e.target.value })} error={fieldError(edit.error, 'personnummer')} />
          <Field label={t('tempPassword')} type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} error={fieldError(edit.error, 'password')} />
          <Field label={t('tempPin')} type="password" value={form.pin} onChange={(e) => setForm({ ...form, pin: e.target.value })} error={fieldError(edit.error, 'pin')} />
          <button type="submit" className="primary" disabled={edit.busy}>{t('create')}</button>
        </form>
      </details>
      {notice ? <Ok>{notice}</Ok> : null}
      <ErrorBox error={edit.error} />
      <table data-testid="users">
        <thead>
          <tr><th>{t('username')}</th><th>{t('displayName')}</th><th>{t('clinic')}</th><th>{t('role')}</th><th>{t('status')}</th><th>{t('lastLogin')}</th><th>{t('country')}</th><th /></tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>{u.username}</td>
              <td>{u.displayName}</td>
              <td>{clinicName(u.clinicId)}</td>
              <td>
                {u.role === 'system_admin' ? t('role_system_admin') : (
                  <select aria-label={`${t('role')} ${u.username}`} value={u.role} onChange={(e) => void patch(u.id, { role: e.target.value })}>
                    <option value="staff">{t('role_staff')}</option>
                    <option value="clinic_admin">{t('role_clinic_admin')}</option>
                  </select>
                )}
              </td>
              <td>
                {u.active ? <Badge kind="ok">{t('active')}</Badge> : <Badge kind="bad">{t('inactive')}</Badge>}{' '}
                {u.mustChange ? <Badge kind="warn">{t('mustChangeBadge')}</Badge> : null}{' '}
                {u.lockedUntil ? <Badge kind="bad">{t('locked', { until: dateTime(u.lockedUntil) })}</Badge> : null}
              </td>
              <td>{dateTime(u.lastLoginAt)}</td>
              <td>{u.lastLoginCountry ?? '–'}</td>
              <td className="actions">
                <button type="button" onClick={() => void patch(u.id, { active: !u.active })}>{u.active ? t('disable') : t('enable')}</button>
                <button type="button" onClick={() => void reset(u.id)}>{t('reset')}</button>
                <button type="button" onClick={() => void remove(u)}>{t('remove')}</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
