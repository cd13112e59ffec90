import { useEffect, useRef, useState } from 'react';
import { z } from 'zod';
import { ConsoleBankIdPoll, ConsoleBankIdStart, ConsoleSession } from '../../../src-shared/schemas/console';
import { call, ConsoleApiError, fieldError } from '../api';
import { QrCode } from '../../ui/QrCode';
import { failedMessage, pendingMessage } from '../../../src-shared/domain/bankid-messages';
import { useI18n } from '../i18n';
import { ErrorBox, Field, useAction } from '../parts';

/** Password + PIN, or BankID run by the server (the console only draws the QR text it is given). */
export function Login({ onSession }: { onSession: (s: ConsoleSession) => void }) {
  const { t, language } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [pin, setPin] = useState('');
  const [mustChange, setMustChange] = useState(false);
  const [newPassword, setNewPassword] = useState('');
  const [newPin, setNewPin] = useState('');
  const [bankId, setBankId] = useState<{ id: string; qr: string; autoStartToken: string; hint: string | null } | null>(null);
  const { busy, error, run, setError } = useAction();
  const timer = useRef<number | null>(null);

  useEffect(() => () => {
    if (timer.current) window.clearInterval(timer.current);
  }, []);

  const login = () =>
    run(async () => {
      try {
        onSession(await call(ConsoleSession, 'POST', '/login', { username, password, pin }));
      } catch (e) {
        if (e instanceof ConsoleApiError && e.code === 'password_change_required') {
          setMustChange(true);
          return;
        }
        throw e;
      }
    });

  const change = () =>
    run(async () => {
      await call(z.object({ ok: z.boolean() }), 'POST', '/password', { username, password, pin, newPassword, newPin });
      onSession(await call(ConsoleSession, 'POST', '/login', { username, password: newPassword, pin: newPin }));
    });

  const startBankId = () =>
    run(async () => {
      const s = await call(ConsoleBankIdStart, 'POST', '/bankid', {});
      setBankId({ ...s, hint: null });
      // BankID asks to be collected every 2 s; the server does the collecting.
      timer.current = window.setInterval(() => {
        void call(ConsoleBankIdPoll, 'POST', `/bankid/${s.id}/collect`, {})
          .then((p) => {
            if (p.status === 'pending') setBankId((b) => (b ? { ...b, qr: p.qr, hint: p.hintCode } : b));
            else {
              if (timer.current) window.clearInterval(timer.current);
              setBankId(null);
              if (p.status === 'complete') onSession(p.session);
              else setError(new ConsoleApiError(200, p.hintCode, failedMessage(p.hintCode, { sameDevice: false })[language], null));
            }
          })
          .catch((e: unknown) => {
            if (timer.current) window.clearInterval(timer.current);
            setBankId(null);
            setError(e);
          });
      }, 2000);
    });

  const cancelBankId = () => {
    if (timer.current) window.clearInterval(timer.current);
    setBankId(null);
  };

  return (
    <main className="login">
      <h1>{t('appName')}</h1>
      {bankId ? (
        <section className="card" data-testid="bankid">
          <p>{t('bankIdScan')}</p>
          <QrCode text={bankId.qr} label={t('bankIdQr')} testId="bankid-qr" />
          {/* BankID's own words (RFA texts), which people know from every other BankID login. */}
          <p className="muted" role="status" data-testid="bankid-hint">{pendingMessage(bankId.hint ?? 'outstandingTransaction', { sameDevice: false })[language]}</p>
          <p>
            <a href={`bankid:///?autostarttoken=${bankId.autoStartToken}&redirect=null`}>{t('bankIdOpen')}</a>
          </p>
          <button type="button" onClick={cancelBankId}>{t('cancel')}</button>
        </section>
      ) : mustChange ? (
        <form className="card" onSubmit={(e) => { e.preventDefault(); void change(); }}>
          <p>{t('mustChange')}</p>
          <Field label={t('newPassword')} type="password" autoComplete="new-password" value={newPassword} onChange={(e) => setNewPassword(e.target.value)} error={fieldError(error, 'newPassword')} />
          <Field label={t('newPin')} type="password" inputMode="numeric" value={newPin} onChange={(e) => setNewPin(e.target.value)} error={fieldError(error, 'newPin')} />
          <ErrorBox error={error} />
          <button type="submit" className="primary" disabled={busy}>{t('changePassword')}</button>
        </form>
      ) : (
        <form className="card" onSubmit={(e) => { e.preventDefault(); void login(); }}>
          <Field label={t('username')} autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} error={fieldError(error, 'username')} />
          <Field label={t('password')} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={fieldError(error, 'password')} />
          <Field label={t('pin')} type="password" inputMode="numeric" autoComplete="off" value={pin} onChange={(e) => setPin(e.target.value)} error={fieldError(error, 'pin')} />
          <ErrorBox error={error} />
          <div className="row">
            <button type="submit" className="primary" disabled={busy}>{t('login')}</button>
            <button type="button" onClick={() => void startBankId()} disabled={busy}>{t('loginBankId')}</button>
          </div>
        </form>
      )}
    </main>
  );
}
