import type { BrowserWindowConstructorOptions, ElectronSurface, WebContents } from './surface';

/** The desk is only ever loaded from here: a privileged custom scheme over the built files. */
export const DESK_SCHEME = 'app';
export const DESK_ORIGIN = `${DESK_SCHEME}://desk`;
export const DESK_URL = `${DESK_ORIGIN}/index.html`;

/** The only places the desk may send a person to, in their own browser. */
export const EXTERNAL_ALLOW: readonly string[] = ['https://www.paynova.com/', 'https://www.bankid.com/', 'https://support.bankid.com/'];

/**
 * "BankID on this computer": the desk hands the order's autostart token to the BankID app through
 * its URL scheme. Exactly this shape (integrations.md §4), nothing else under bankid:.
 */
const BANKID_AUTOSTART = /^bankid:\/\/\/\?autostarttoken=[A-Za-z0-9-]{1,100}&redirect=null$/;

export function isAllowedExternal(url: string): boolean {
  if (url.startsWith('bankid:')) return BANKID_AUTOSTART.test(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' || parsed.username || parsed.password) return false;
  return EXTERNAL_ALLOW.some((prefix) => parsed.href.startsWith(prefix));
}

/** True when `url` is a document of the desk itself (top frame only is checked by the caller). */
export function isDeskUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === `${DESK_SCHEME}:` && u.host === 'desk';
  } catch {
    return false;
  }
}

/** Electron's security checklist, spelled out rather than left to defaults. */
export function deskWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Kassa',
    backgroundColor: '#f6f7f9',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: process.env.KASSA_DEVTOOLS === '1',
    },
  };
}

/** No navigation away from the desk, no new windows; allowed links open in the system browser. */
export function lockNavigation(contents: WebContents, shell: Pick<ElectronSurface['shell'], 'openExternal'>): void {
  contents.on('will-navigate', (event, url) => {
    if (!isDeskUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isDeskUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

export function createDeskWindow(electron: Pick<ElectronSurface, 'BrowserWindow' | 'shell'>, preloadPath: string) {
  const win = new electron.BrowserWindow(deskWindowOptions(preloadPath));
  lockNavigation(win.webContents, electron.shell);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(DESK_URL);
  return win;
}
