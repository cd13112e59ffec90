import { randomUUID } from 'node:crypto';
import { CALL_NAMES, ipcChannel, type CallResult } from '../../src-shared/api';
import type { ClientState, Invoke } from '../core/dispatch';
import type { ElectronSurface, IpcMainInvokeEvent } from './surface';
import { isDeskUrl } from './window';

const FORBIDDEN_SENDER: CallResult<never> = { ok: false, error: { code: 'forbidden', message: 'This window may not call the desk core.' } };

/**
 * One ipcMain handler per contract call (no generic "invoke anything" channel). Each checks that
 * the sender is the top frame of a desk document loaded from app://desk before the dispatcher
 * applies session, permission and schema checks. Sessions are kept per webContents, in main.
 */
export function registerContractHandlers(ipcMain: ElectronSurface['ipcMain'], invoke: Invoke): { clients: Map<number, ClientState>; dispose(): void } {
  const clients = new Map<number, ClientState>();
  const clientFor = (event: IpcMainInvokeEvent): ClientState => {
    let client = clients.get(event.sender.id);
    if (!client) {
      client = { id: randomUUID(), transport: 'electron', session: null };
      clients.set(event.sender.id, client);
      event.sender.once('destroyed', () => clients.delete(event.sender.id));
    }
    return client;
  };
  for (const name of CALL_NAMES) {
    ipcMain.handle(ipcChannel(name), async (event: IpcMainInvokeEvent, input: unknown) => {
      const frame = event.senderFrame;
      if (!frame || frame.parent !== null || !isDeskUrl(frame.url)) return FORBIDDEN_SENDER;
      return invoke(clientFor(event), name, input);
    });
  }
  return {
    clients,
    dispose() {
      for (const name of CALL_NAMES) ipcMain.removeHandler(ipcChannel(name));
    },
  };
}
