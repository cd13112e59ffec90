import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { parsePersonnummer } from '../../../src-shared/domain/personnummer';
import type { AccountView } from '../../../src-shared/schemas/accounts';
import { ErrorBox, Field, Notice, Select, useApi } from '../../ui/components';
import { errorBody, useI18n } from '../../ui/i18n';

/** The clinic admin's staff users: add, disable/enable, reset password or PIN, remove (issue 6). */
export function Users() {
  const api = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const [users, setUsers] = useState<AccountView[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const load = useCallback(() => api['users.list']({ search: '' }).then((u) => (setUsers(u), setError(null)), setError), [api]);
  useEffect(() => void load(), [load]);

  const act = async (p: Promise<unknown>, message: string) => {
    try {
      await p;
      setNotice(message);
      setError(null);
      await load();
    } catch (e) {
      setError(e);
    }
  };
  const reset = async (u: AccountView) => {
    try {
      const r = await api['users.reset']({ userId: u.id, reset: { password: true, pin: true } });
      setNotice(t('users.resetDone', { name: u.displayName, password: r.password ?? '—', pin: r.pin ?? '—' }));
      await load();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <div className="screen users">
      <div className="screen-head">
        <h1>{t('users.title')}</h1>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setAdding((a) => !a)}>{t('users.add')}</button>
      </div>
      {notice ? <Notice kind="ok">{notice}</Notice> : null}
      <ErrorBox error={error} />
      {adding ? <NewUser onDone={(name) => (setAdding(false), void act(Promise.resolve(), t('users.added', { name })))} /> : null}
      <table className="list" data-testid="users">
        <thead>
          <tr><th>{t('users.username')}</th><th>{t('users.name')}</th><th>{t('users.role')}</th><th>{t('users.lastLogin')}</th><th>{t('common.status')}</th><th /></tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td><code>{u.username}</code></td>
              <td>{u.displayName}</td>
              <td>{t(`role.${u.role}`)}</td>
              <td>{u.lastLoginAt ? `${i18n.dateTime(u.lastLoginAt)}${u.lastLoginCountry ? ` (${u.lastLoginCountry})` : ''}` : '—'}</td>
              <td>
                {u.active ? t('users.active') : <span className="tag tag-bad">{t('users.disabled')}</span>}
                {u.mustChange ? <span className="tag tag-pending">{t('users.mustChange')}</span> : null}
                {u.lockedUntil && Date.parse(u.lockedUntil) > Date.now() ? <span className="tag tag-bad">{t('users.locked')}</span> : null}
              </td>
              <td className="actions-cell">
                <button type="button" onClick={() => void act(api['users.update']({ userId: u.id, patch: { active: !u.active } }), t('common.saved'))}>
                  {u.active ? t('users.disable') : t('users.enable')}
                </button>
                <button type="button" onClick={() => void reset(u)}>{t('users.reset')}</button>
                <button type="button" className="link" onClick={() => window.confirm(t('users.removeConfirm', { name: u.displayName })) && void act(api['users.remove']({ userId: u.id }), t('common.saved'))}>
                  {t('common.remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NewUser({ onDone }: { onDone: (name: string) => void }) {
  const api = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const [d, setD] = useState({ username: '', displayName: '', role: 'staff' as 'staff' | 'clinic_admin', personnummer: '', language: 'sv' as 'sv' | 'en', password: '', pin: '' });
  const [error, setError] = useState<unknown>(null);
  const set = (patch: Partial<typeof d>) => setD((p) => ({ ...p, ...patch }));
  const field = error ? errorBody(error).field : undefined;
  const fe = (name: string) => (field === name ? i18n.error(error) : null);
  const pn = d.personnummer.trim() ? parsePersonnummer(d.personnummer) : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (pn && !pn.ok) return;
    try {
      await api['users.create']({ username: d.username, displayName: d.displayName, role: d.role, personnummer: pn?.ok ? pn.value.canonical : null, language: d.language, password: d.password, pin: d.pin });
      onDone(d.displayName);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-label={t('users.add')} data-testid="new-user" noValidate>
      <div className="row">
        <Field label={t('users.username')} value={d.username} onChange={(e) => set({ username: e.target.value })} error={fe('username')} autoFocus />
        <Field label={t('users.name')} value={d.displayName} onChange={(e) => set({ displayName: e.target.value })} error={fe('displayName')} />
        <Select label={t('users.role')} value={d.role} onChange={(e) => set({ role: e.target.value === 'clinic_admin' ? 'clinic_admin' : 'staff' })} error={fe('role')}>
          <option value="staff">{t('role.staff')}</option>
          <option value="clinic_admin">{t('role.clinic_admin')}</option>
        </Select>
      </div>
      <div className="row">
        <Field label={t('users.personnummer')} value={d.personnummer} onChange={(e) => set({ personnummer: e.target.value })} error={pn && !pn.ok ? pn.error.message : fe('personnummer')} />
        <Field label={t('users.tempPassword')} type="password" autoComplete="new-password" value={d.password} onChange={(e) => set({ password: e.target.value })} error={fe('password')} hint={t('login.newPasswordHint')} />
        <Field label={t('users.tempPin')} type="password" inputMode="numeric" value={d.pin} onChange={(e) => set({ pin: e.target.value.replace(/\D/g, '') })} error={fe('pin')} />
      </div>
      {error && !field ? <ErrorBox error={error} /> : null}
      <button type="submit" className="primary">{t('users.add')}</button>
    </form>
  );
}
