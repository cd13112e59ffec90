import * as electron from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDesktopCore } from '../core/desktop-core';
import { registerContractHandlers } from './ipc';
import { betterSqliteBinding } from './native';
import { registerDeskScheme, serveDesk } from './protocol';
import type { ElectronSurface } from './surface';
import { createDeskWindow } from './window';

/**
 * The Electron adapter: one window, the desk from app://, the contract over IPC. Everything
 * privileged lives in the desktop core (src-main/core), which is plain Node and shared with the
 * browser host.
 */
const surface: ElectronSurface = electron;
const here = dirname(fileURLToPath(import.meta.url));
const { app } = surface;

registerDeskScheme(surface.protocol);
if (!app.requestSingleInstanceLock()) app.quit();

app.on('web-contents-created', (_event, contents) => {
  // Belt and braces: no webviews anywhere, whatever created the contents.
  contents.on('will-attach-webview', (e) => e.preventDefault());
});

void app.whenReady().then(async () => {
  // Deny every permission request (camera, notifications, ...): the desk needs none.
  surface.session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  serveDesk(surface.protocol, join(here, '..', 'desk'));
  // `npm start` passes the demo stack through the environment; a packaged desk is enrolled by a person.
  const sandbox = process.env.KASSA_SANDBOX ? (JSON.parse(process.env.KASSA_SANDBOX) as { paynovaUrl: string; twilioUrl: string; geopluginUrl: string }) : null;
  const core = await createDesktopCore({
    dataDir: app.getPath('userData'),
    nativeBinding: betterSqliteBinding(app.isPackaged, process.resourcesPath),
    syncServerUrl: process.env.KASSA_SYNC_URL ?? null,
    enrolment: process.env.KASSA_ENROL_CODE ? { code: process.env.KASSA_ENROL_CODE, deviceName: 'Electron desk' } : null,
    invoiceSeries: { prefix: 'E', ocrCode: 9 },
    sandbox: sandbox ? { paynovaUrl: sandbox.paynovaUrl, twilioUrl: sandbox.twilioUrl, geopluginUrl: sandbox.geopluginUrl } : null,
  });
  const ipc = registerContractHandlers(surface.ipcMain, core.invoke);
  createDeskWindow(surface, join(here, 'preload.cjs'));
  app.on('window-all-closed', () => {
    ipc.dispose();
    void core.close().finally(() => app.quit());
  });
});
