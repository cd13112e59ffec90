import type * as Electron from 'electron';

/**
 * The parts of the electron module the adapter uses. Everything takes this surface as a parameter,
 * so unit tests inject a recording fake and run without the Electron binary; main.ts passes the
 * real module.
 */
export type ElectronSurface = Pick<typeof Electron, 'app' | 'BrowserWindow' | 'ipcMain' | 'protocol' | 'shell' | 'session'>;
export type { BrowserWindowConstructorOptions, IpcMainInvokeEvent, WebContents } from 'electron';
