import { contextBridge, ipcRenderer } from 'electron';
import { CALL_NAMES } from '../../src-shared/api/contract';
import { PRELOAD_GLOBAL, ipcChannel } from '../../src-shared/api/wire';

/**
 * Exposes exactly one function per contract call on window.kassa and nothing else: no
 * ipcRenderer, no generic send, no Node. Each returns the core's `{ok, value | error}` envelope.
 * (Sandboxed preloads cannot require our modules: this file is bundled by `vite build --mode electron`.)
 */
const api: Record<string, (input: unknown) => Promise<unknown>> = {};
for (const name of CALL_NAMES) {
  const channel = ipcChannel(name);
  api[name] = (input: unknown) => ipcRenderer.invoke(channel, input);
}
contextBridge.exposeInMainWorld(PRELOAD_GLOBAL, Object.freeze(api));
