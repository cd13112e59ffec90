import { useCallback, useEffect, useRef, useState } from 'react';
import type { BankIdProgress, SessionView } from '../../../src-shared/api';
import { ErrorBox, Notice, useApi } from '../../ui/components';
import { useI18n } from '../../ui/i18n';
import { QrCode } from '../../ui/QrCode';

/** The QR changes every second in main; polling twice as often never shows a stale one for long. */
const POLL_MS = 500;

const RUNNING: ReadonlySet<BankIdProgress['status']> = new Set(['pending', 'logging_in']);

/**
 * Login with Swedish BankID. Main runs the order and computes the animated QR; this screen only
 * draws the text it is given, shows BankID's own hint texts (RFA) and, when main has logged the
 * person in, hands the session on. Esc cancels the order at BankID.
 */
export function BankIdLogin({ onLoggedIn, onBack }: { onLoggedIn: (s: SessionView) => void; onBack: () => void }) {
  const api = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const [progress, setProgress] = useState<BankIdProgress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const firstChoice = useRef<HTMLButtonElement>(null);
  const running = progress !== null && RUNNING.has(progress.status);

  const start = async (sameDevice: boolean) => {
    setBusy(true);
    setError(null);
    try {
      setProgress(await api['auth.bankidStart']({ sameDevice, language: i18n.language }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const cancel = useCallback(() => {
    void api['auth.bankidCancel']({}).catch(() => undefined);
  }, [api]);

  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(() => {
      api['auth.bankidProgress']({})
        .then((p) => {
          setProgress(p);
          if (p?.status === 'logged_in' && p.session) onLoggedIn(p.session);
        })
        .catch((e: unknown) => setError(e));
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [api, running, onLoggedIn]);

  useEffect(() => {
    if (!running) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') cancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [running, cancel]);

  // Leaving the screen (back to password, window closed) must not leave an order open at BankID.
  const runningRef = useRef(running);
  runningRef.current = running;
  useEffect(() => () => {
    if (runningRef.current) cancel();
  }, [cancel]);

  // Keyboard first: the choice (or "try again") has the focus whenever no order is running.
  useEffect(() => {
    if (!running) firstChoice.current?.focus();
  }, [running]);

  if (progress === null || (!running && progress.status !== 'logged_in')) {
    const ended = progress;
    return (
      <section className="bankid" aria-label={t('login.bankid')} data-testid="bankid">
        {ended ? (
          ended.status === 'refused' && ended.error ? (
            <ErrorBox error={ended.error} />
          ) : (
            <div className="error-box" role="alert" data-testid="bankid-message">
              {ended.message}
            </div>
          )
        ) : null}
        <ErrorBox error={error} />
        <p>{t('login.bankidChoose')}</p>
        <div className="bankid-choices">
          <button ref={firstChoice} type="button" className="primary" disabled={busy} onClick={() => void start(false)}>
            {ended ? `${t('login.bankidRetry')}: ${t('login.bankidMobile')}` : t('login.bankidMobile')}
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={() => void start(true)}>
            {t('login.bankidThisComputer')}
          </button>
          <button type="button" className="link" onClick={onBack}>
            {t('login.bankidBack')}
          </button>
        </div>
      </section>
    );
  }

  return (
    <section className="bankid" aria-label={t('login.bankid')} data-testid="bankid">
      {progress.status === 'logging_in' || progress.status === 'logged_in' ? (
        <Notice kind="ok">{t('login.bankidLoggingIn')}</Notice>
      ) : (
        <>
          {!progress.sameDevice && progress.qrText ? (
            <div className="bankid-qr">
              <QrCode text={progress.qrText} label={t('login.bankidQr')} testId="bankid-qr" />
            </div>
          ) : null}
          {/* BankID's own words for where the order is (RFA texts), read out as they change. */}
          <p className="bankid-hint" role="status" aria-live="polite" data-testid="bankid-hint">
            {progress.message}
          </p>
          {progress.autoStartUrl ? (
            // Electron opens bankid:// links in the system (allow-listed); the browser host just shows the link.
            <a className="bankid-open" href={progress.autoStartUrl} target="_blank" rel="noreferrer" autoFocus={progress.sameDevice}>
              {t('login.bankidOpen')}
            </a>
          ) : null}
          <ErrorBox error={error} />
          <button type="button" className="secondary" onClick={cancel} autoFocus={!progress.sameDevice}>
            {t('common.cancel')}
          </button>
        </>
      )}
    </section>
  );
}
