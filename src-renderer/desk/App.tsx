import { useCallback, useEffect, useMemo, useState } from 'react';
import { CALL_NAMES, type DeskApi, type SessionView, type SyncStatus } from '../../src-shared/api';
import { ApiProvider, useApi } from '../ui/components';
import { errorBody, useI18n, type MessageKey } from '../ui/i18n';
import { Activity } from './screens/Activity';
import { Login } from './screens/Login';
import { NewOrder } from './screens/NewOrder';
import { Notices, useOpenNoticeCount } from './screens/Notices';
import { OrderDetailScreen } from './screens/OrderDetail';
import { Orders } from './screens/Orders';
import { PatientDetailScreen, Patients } from './screens/Patients';
import { Settings } from './screens/Settings';
import { SyncPanel } from './screens/SyncPanel';
import { Users } from './screens/Users';
import { isTyping } from './keys';
import { href, navigate, useRoute, type Route } from './router';
import { SessionCtx } from './session';
import { pullProgress } from './sync-progress';

/** Wraps the API so an expired session raises the login dialog over the screen, keeping its state. */
function watchSession(api: DeskApi, onLost: () => void): DeskApi {
  const wrapped: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const name of CALL_NAMES) {
    const f = api[name] as (input: unknown) => Promise<unknown>;
    wrapped[name] = async (input) => {
      try {
        return await f(input);
      } catch (e) {
        if (errorBody(e).code === 'unauthenticated' && name !== 'auth.login') onLost();
        throw e;
      }
    };
  }
  return wrapped as DeskApi;
}

const NAV: { route: Route; key: MessageKey; kbd?: string; admin?: boolean }[] = [
  { route: { name: 'orders' }, key: 'nav.orders' },
  { route: { name: 'newOrder' }, key: 'nav.newOrder', kbd: 'N' },
  { route: { name: 'patients' }, key: 'nav.patients' },
  { route: { name: 'notices' }, key: 'nav.notices' },
  { route: { name: 'sync' }, key: 'nav.sync' },
  { route: { name: 'activity' }, key: 'nav.activity' },
  { route: { name: 'users' }, key: 'nav.users', admin: true },
  { route: { name: 'settings' }, key: 'nav.settings' },
];

function SyncIndicator() {
  const api = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const [status, setStatus] = useState<SyncStatus | null>(null);
  useEffect(() => {
    let alive = true;
    const tick = () =>
      api['sync.status']({})
        .then((s) => alive && setStatus(s))
        .catch(() => alive && setStatus(null));
    void tick();
    const timer = setInterval(tick, 2000);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [api]);
  if (!status) return null;
  const pull = pullProgress(status.activity);
  return (
    <a className={`sync-pill sync-${status.state}`} href={href({ name: 'sync' })} data-testid="sync-pill">
      {t(`sync.state.${status.state}`)}
      {status.pending > 0 ? ` · ${status.pending} ↑` : ''}
      {status.rejected > 0 ? ` · ${status.rejected} ⚠` : ''}
      {pull ? (
        <>
          {' · '}
          <progress className="pill-progress" value={pull.done} max={pull.total} aria-label={t('sync.pulling', { done: i18n.count(pull.done), total: i18n.count(pull.total) })} />
          {' '}{t('sync.pullingShort', { percent: i18n.percent(pull.done / pull.total) })}
        </>
      ) : null}
    </a>
  );
}

export function App() {
  const rawApi = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const route = useRoute();
  const [session, setSession] = useState<SessionView | null | undefined>(undefined);
  const [lost, setLost] = useState(false);
  const api = useMemo(() => watchSession(rawApi, () => setLost(true)), [rawApi]);
  const openNotices = useOpenNoticeCount(api, Boolean(session));

  useEffect(() => {
    rawApi['auth.session']({}).then(setSession, () => setSession(null));
  }, [rawApi]);

  const onKey = useCallback(
    (e: KeyboardEvent) => {
      if (!session || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      if (document.querySelector('.modal')) return;
      if (e.key === 'n' || e.key === 'N') {
        e.preventDefault();
        navigate({ name: 'newOrder' });
      } else if (e.key === '/') {
        const search = document.querySelector<HTMLInputElement>('[data-search]');
        if (search) {
          e.preventDefault();
          search.focus();
          search.select();
        }
      } else if (e.key === 'Escape' && (route.name === 'order' || route.name === 'newOrder' || route.name === 'patient')) {
        history.back();
      }
    },
    [session, route.name],
  );
  useEffect(() => {
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onKey]);

  if (session === undefined) return <div className="boot">{t('common.loading')}</div>;
  if (session === null) {
    return (
      <ApiProvider value={api}>
        <Login onLoggedIn={setSession} />
      </ApiProvider>
    );
  }

  const logout = async () => {
    await api['auth.logout']({}).catch(() => undefined);
    setSession(null);
  };

  let screen;
  switch (route.name) {
    case 'orders':
      screen = <Orders />;
      break;
    case 'newOrder':
      screen = <NewOrder />;
      break;
    case 'order':
      screen = <OrderDetailScreen id={route.id} key={route.id} />;
      break;
    case 'patients':
      screen = <Patients />;
      break;
    case 'patient':
      screen = <PatientDetailScreen id={route.id} key={route.id} />;
      break;
    case 'sync':
      screen = <SyncPanel />;
      break;
    case 'settings':
      screen = <Settings />;
      break;
    case 'activity':
      screen = <Activity />;
      break;
    case 'users':
      screen = <Users />;
      break;
    case 'notices':
      screen = <Notices />;
      break;
  }

  return (
    <ApiProvider value={api}>
      <SessionCtx.Provider value={session}>
        <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
          {t('app.skip')}
        </a>
        <div className="shell">
          <header className="topbar">
            <strong className="brand">{t('app.name')}</strong>
            <span className="clinic">{session.clinic?.name}</span>
            <nav aria-label="Kassa">
              {NAV.filter((n) => !n.admin || session.user.role !== 'staff').map((n) => {
                const current = n.route.name === route.name || (n.route.name === 'orders' && route.name === 'order') || (n.route.name === 'patients' && route.name === 'patient');
                return (
                  <a key={n.key} href={href(n.route)} aria-current={current ? 'page' : undefined} aria-keyshortcuts={n.kbd}>
                    {t(n.key)}
                    {n.kbd ? <kbd>{n.kbd}</kbd> : null}
                    {n.route.name === 'notices' && openNotices > 0 ? (
                      <span className="badge badge-alert" data-testid="notices-badge" aria-label={t('notices.openCount', { count: openNotices })}>
                        {openNotices}
                      </span>
                    ) : null}
                  </a>
                );
              })}
            </nav>
            <SyncIndicator />
            <select aria-label={t('lang.label')} value={i18n.language} onChange={(e) => i18n.setLanguage(e.target.value as 'sv' | 'en')}>
              <option value="sv">{t('lang.sv')}</option>
              <option value="en">{t('lang.en')}</option>
            </select>
            <span className="user" data-testid="user">
              {session.user.displayName}
              {session.offline ? ` · ${t('login.offline')}` : ''}
            </span>
            <button type="button" className="link" onClick={() => void logout()}>
              {t('nav.logout')}
            </button>
          </header>
          <main id="main" tabIndex={-1}>
            {screen}
          </main>
          <footer className="hint">{t('nav.shortcuts')}</footer>
        </div>
        {lost ? (
          <Login
            asDialog
            onLoggedIn={(s) => {
              setSession(s);
              setLost(false);
            }}
          />
        ) : null}
      </SessionCtx.Provider>
    </ApiProvider>
  );
}
