import { useEffect, useState } from 'react';
import { ConsoleMe, type ConsoleSession } from '../../src-shared/schemas/console';
import { call, saveToken, savedToken, setUnauthorizedHandler } from './api';
import { useI18n } from './i18n';
import { ActivityScreen } from './screens/Activity';
import { ClinicDetail, Clinics } from './screens/Clinics';
import { Login } from './screens/Login';
import { OrderDetail, Orders } from './screens/Orders';
import { SettingsScreen } from './screens/Settings';
import { UsersScreen } from './screens/Users';

/** Hash routes: the server serves one static page under /console/ and never sees the route. */
function useRoute(): [string, (path: string) => void] {
  const read = () => window.location.hash.replace(/^#/, '') || '/clinics';
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return [route, (path) => { window.location.hash = path; }];
}

const NAV = [
  ['/clinics', 'navClinics'],
  ['/users', 'navUsers'],
  ['/orders', 'navOrders'],
  ['/settings', 'navSettings'],
  ['/activity', 'navActivity'],
] as const;

export function App() {
  const { t, language, setLanguage } = useI18n();
  const [me, setMe] = useState<ConsoleMe | null>(null);
  const [checked, setChecked] = useState(false);
  const [route, go] = useRoute();

  useEffect(() => {
    setUnauthorizedHandler(() => {
      saveToken(null);
      setMe(null);
    });
    if (!savedToken()) {
      setChecked(true);
      return;
    }
    call(ConsoleMe, 'GET', '/me')
      .then(setMe)
      .catch(() => saveToken(null))
      .finally(() => setChecked(true));
  }, []);

  const onSession = (s: ConsoleSession) => {
    saveToken(s.token);
    setMe({ user: s.user, expiresAt: s.expiresAt, method: s.method });
  };
  const logout = () => {
    void call(ConsoleMe.partial(), 'POST', '/logout').catch(() => undefined);
    saveToken(null);
    setMe(null);
  };
  const toggle = <button type="button" className="link" onClick={() => setLanguage(language === 'sv' ? 'en' : 'sv')}>{t('language')}</button>;

  if (!checked) return <p>{t('loading')}</p>;
  if (!me) return <>{toggle}<Login onSession={onSession} /></>;

  const parts = route.split('/').filter(Boolean);
  let screen;
  if (parts[0] === 'clinics' && parts[1]) screen = <ClinicDetail id={parts[1]} go={go} />;
  else if (parts[0] === 'users') screen = <UsersScreen />;
  else if (parts[0] === 'orders' && parts[1] && parts[2]) screen = <OrderDetail clinicId={parts[1]} orderId={parts[2]} go={go} />;
  else if (parts[0] === 'orders') screen = <Orders go={go} />;
  else if (parts[0] === 'settings') screen = <SettingsScreen />;
  else if (parts[0] === 'activity') screen = <ActivityScreen />;
  else screen = <Clinics go={go} />;

  return (
    <div className="shell">
      <header>
        <strong>{t('appName')}</strong>
        <nav>
          {NAV.map(([path, key]) => (
            <a key={path} href={`#${path}`} aria-current={route.startsWith(path) ? 'page' : undefined}>{t(key)}</a>
          ))}
        </nav>
        <span className="who" data-testid="console-user">{me.user.displayName}</span>
        {toggle}
        <button type="button" onClick={logout}>{t('logout')}</button>
      </header>
      <main>{screen}</main>
    </div>
  );
}
