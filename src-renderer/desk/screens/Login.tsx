import { useState, type FormEvent } from 'react';
import type { SessionView } from '../../../src-shared/api';
import { ErrorBox, Field, Modal, Notice, useApi } from '../../ui/components';
import { errorBody, useI18n } from '../../ui/i18n';
import { BankIdLogin } from './BankIdLogin';

/** Username + password + PIN, or Swedish BankID (run by main; see BankIdLogin). */
export function Login({ onLoggedIn, asDialog = false }: { onLoggedIn: (s: SessionView) => void; asDialog?: boolean }) {
  const api = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [bankid, setBankid] = useState(false);
  // The server asks for new secrets at a first login or after a reset (issue 6).
  const [mustChange, setMustChange] = useState(false);
  const [newPassword, setNewPassword] = useState('');
  const [newPin, setNewPin] = useState('');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLoggedIn(
        mustChange
          ? await api['auth.changeSecret']({ username, password, pin, newPassword, ...(newPin ? { newPin } : {}) })
          : await api['auth.login']({ method: 'password', username, password, pin }),
      );
    } catch (err) {
      setError(err);
      const code = errorBody(err).code;
      if (code === 'password_change_required') setMustChange(true);
      // Only the PIN is cleared after a refusal; the username and the rest stay.
      if (code === 'invalid_credentials') setPin('');
    } finally {
      setBusy(false);
    }
  };
  const field = error ? errorBody(error).field : undefined;

  const form = (
    <form className="login-form" onSubmit={(e) => void submit(e)} aria-label={t('login.title')}>
      <Field label={t('login.username')} name="username" autoComplete="username" autoFocus value={username} onChange={(e) => setUsername(e.target.value)} required error={field === 'username' ? i18n.error(error) : null} />
      <Field label={t('login.password')} name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required error={field === 'password' ? i18n.error(error) : null} />
      <Field label={t('login.pin')} name="pin" type="password" inputMode="numeric" autoComplete="off" maxLength={8} value={pin} onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))} required error={field === 'pin' ? i18n.error(error) : null} />
      {mustChange ? (
        <>
          <Field label={t('login.newPassword')} name="newPassword" type="password" autoComplete="new-password" value={newPassword} onChange={(e) => setNewPassword(e.target.value)} required hint={t('login.newPasswordHint')} error={field === 'newPassword' ? i18n.error(error) : null} />
          <Field label={t('login.newPin')} name="newPin" type="password" inputMode="numeric" autoComplete="off" maxLength={8} value={newPin} onChange={(e) => setNewPin(e.target.value.replace(/\D/g, ''))} error={field === 'newPin' ? i18n.error(error) : null} />
        </>
      ) : null}
      {error && !field ? <ErrorBox error={error} /> : null}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t('login.busy') : t('login.submit')}
      </button>
      <button type="button" className="secondary bankid" onClick={() => setBankid(true)}>
        {t('login.bankid')}
      </button>
    </form>
  );
  const body = bankid ? <BankIdLogin onLoggedIn={onLoggedIn} onBack={() => setBankid(false)} /> : form;

  if (asDialog) {
    return (
      <Modal title={t('login.title')} onClose={() => undefined}>
        <Notice kind="warn">{t('error.unauthenticated')}</Notice>
        {body}
      </Modal>
    );
  }
  return (
    <div className="login-page">
      <div className="login-card">
        <h1>{t('app.name')}</h1>
        <h2>{bankid ? t('login.bankid') : t('login.title')}</h2>
        {body}
        <div className="lang-switch">
          <button type="button" className="link" aria-pressed={i18n.language === 'sv'} onClick={() => i18n.setLanguage('sv')}>
            {t('lang.sv')}
          </button>
          {' · '}
          <button type="button" className="link" aria-pressed={i18n.language === 'en'} onClick={() => i18n.setLanguage('en')}>
            {t('lang.en')}
          </button>
        </div>
      </div>
    </div>
  );
}
