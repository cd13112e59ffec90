import { describe, expect, it } from 'vitest';
import { CALL_NAMES, ipcChannel, type CallResult } from '../../../src-shared/api';
import { createDispatcher, type Handlers } from '../../../src-main/core/dispatch';
import { missingHandlers } from '../../../src-main/core/missing';
import { registerContractHandlers } from '../../../src-main/electron/ipc';
import { betterSqliteBinding } from '../../../src-main/electron/native';
import type { ElectronSurface, IpcMainInvokeEvent, WebContents } from '../../../src-main/electron/surface';
import { deskWindowOptions, isAllowedExternal, isDeskUrl, lockNavigation } from '../../../src-main/electron/window';

type Listener = (event: IpcMainInvokeEvent, input: unknown) => Promise<CallResult<unknown>>;

/** A recording stand-in for ipcMain: the adapter under test is real, only Electron is absent. */
function fakeIpcMain() {
  const handlers = new Map<string, Listener>();
  const ipcMain = {
    handle: (channel: string, l: Listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, l);
    },
    removeHandler: (channel: string) => handlers.delete(channel),
  } as unknown as ElectronSurface['ipcMain'];
  return { ipcMain, handlers };
}

function event(url: string, opts: { sub?: boolean; senderId?: number } = {}): IpcMainInvokeEvent {
  return {
    sender: { id: opts.senderId ?? 1, once: () => undefined },
    senderFrame: { url, parent: opts.sub ? {} : null },
  } as unknown as IpcMainInvokeEvent;
}

const handlers: Handlers = {
  ...missingHandlers((c) => `${c} not wired`),
  'auth.session': (_i, ctx) => (ctx.client.session ? null : null),
};

describe('Electron IPC registration', () => {
  it('registers exactly one handler per contract call and removes them again', () => {
    const { ipcMain, handlers: registered } = fakeIpcMain();
    const reg = registerContractHandlers(ipcMain, createDispatcher(handlers, { error: () => undefined }));
    expect([...registered.keys()].sort()).toEqual(CALL_NAMES.map(ipcChannel).sort());
    reg.dispose();
    expect(registered.size).toBe(0);
  });

  it('refuses senders that are not the top frame of app://desk, before any handler runs', async () => {
    const { ipcMain, handlers: registered } = fakeIpcMain();
    let ran = 0;
    const counting: Handlers = { ...handlers, 'auth.session': () => (ran++, null) };
    registerContractHandlers(ipcMain, createDispatcher(counting, { error: () => undefined }));
    const call = registered.get(ipcChannel('auth.session'))!;
    for (const bad of ['https://evil.example/', 'file:///etc/passwd', 'app://other/index.html', 'http://127.0.0.1:5173/']) {
      expect(await call(event(bad), {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(await call(event('app://desk/index.html', { sub: true }), {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(ran).toBe(0);
    expect(await call(event('app://desk/index.html'), {})).toEqual({ ok: true, value: null });
    expect(ran).toBe(1);
  });

  it('still applies the session and schema checks of the dispatcher', async () => {
    const { ipcMain, handlers: registered } = fakeIpcMain();
    registerContractHandlers(ipcMain, createDispatcher(handlers, { error: () => undefined }));
    const list = registered.get(ipcChannel('orders.list'))!;
    expect(await list(event('app://desk/index.html'), {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    const login = registered.get(ipcChannel('auth.login'))!;
    expect(await login(event('app://desk/index.html'), { method: 'password', username: 'a', password: 'b' })).toMatchObject({
      ok: false, error: { code: 'validation', field: 'pin' },
    });
  });
});

describe('Electron window', () => {
  it('uses the security checklist options', () => {
    const o = deskWindowOptions('/app/preload.cjs');
    expect(o.webPreferences).toMatchObject({
      preload: '/app/preload.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true,
      allowRunningInsecureContent: false, webviewTag: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false,
    });
  });

  it('locks navigation and opens only allow-listed https links externally', () => {
    const listeners = new Map<string, (e: { preventDefault(): void }, url: string) => void>();
    let openHandler: ((d: { url: string }) => { action: string }) | undefined;
    const contents = {
      on: (name: string, l: (e: { preventDefault(): void }, url: string) => void) => listeners.set(name, l),
      setWindowOpenHandler: (h: typeof openHandler) => (openHandler = h),
    } as unknown as WebContents;
    const opened: string[] = [];
    lockNavigation(contents, { openExternal: async (u: string) => void opened.push(u) });

    const nav = (url: string) => {
      let prevented = false;
      listeners.get('will-navigate')!({ preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(nav('https://evil.example/')).toBe(true);
    expect(nav('app://desk/index.html#/orders')).toBe(false);
    expect(openHandler!({ url: 'https://www.bankid.com/en/' })).toEqual({ action: 'deny' });
    expect(openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://www.bankid.com/en/']);
    expect(isAllowedExternal('http://www.bankid.com/')).toBe(false);
    expect(isAllowedExternal('https://www.bankid.com.evil.example/')).toBe(false);
    expect(isAllowedExternal('https://user:pw@www.bankid.com/')).toBe(false);
    // "BankID on this computer": the autostart link, and only in its documented shape.
    expect(isAllowedExternal('bankid:///?autostarttoken=7c40b5c9-fa74-49cf-b98c-bfe651f9a7c6&redirect=null')).toBe(true);
    expect(isAllowedExternal('bankid:///?autostarttoken=7c40b5c9&redirect=https://evil.example/')).toBe(false);
    expect(isAllowedExternal('bankid://evil.example/?autostarttoken=7c40b5c9&redirect=null')).toBe(false);
    expect(isDeskUrl('app://desk/index.html')).toBe(true);
    expect(isDeskUrl('app://desk.evil/index.html')).toBe(false);
  });

  it('points better-sqlite3 at the unpacked Electron build only when packaged', () => {
    expect(betterSqliteBinding(false, '/r')).toBeUndefined();
    expect(betterSqliteBinding(true, '/opt/Kassa/resources')).toBe('/opt/Kassa/resources/app.asar.unpacked/node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  });
});
