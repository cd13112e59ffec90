import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiProvider } from '../ui/components';
import { I18nProvider } from '../ui/i18n';
import { createTransport } from '../ui/transport';
import { App } from './App';
import './styles.css';

// The transport takes the browser host's token out of the URL fragment before the router reads it.
const { api } = createTransport();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <ApiProvider value={api}>
        <App />
      </ApiProvider>
    </I18nProvider>
  </StrictMode>,
);
