import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDesktopCore, type DesktopCore } from '../../../../src-main/core/desktop-core';
import type { CallName, CallResult } from '../../../../src-shared/api';
import { enrolmentCode, eventually, PASSWORD, PIN, type TestClinic } from './harness';

export interface DeskCore {
  readonly core: DesktopCore;
  /** One contract call through the core's dispatcher, as the UI makes it; a refusal throws its error body. */
  call<T = unknown>(name: CallName, input: unknown): Promise<T>;
  close(): Promise<void>;
}

/**
 * The whole desktop core (the one the UI talks to) on its own data folder and keychain entry,
 * enrolled with the clinic, logged in as the clinic's staff user, and synced once.
 */
export async function startDeskCore(serverUrl: string, clinic: TestClinic, prefix = 'S'): Promise<DeskCore> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-desk-'));
  const problems: string[] = [];
  const core = await createDesktopCore({
    dataDir: dir, syncServerUrl: serverUrl, enrolment: { code: await enrolmentCode(serverUrl, clinic.clinicId), deviceName: `Kassa ${prefix}` },
    invoiceSeries: { prefix, ocrCode: 3 }, keychainService: `kassa-test-${randomUUID()}`, pollMs: 60_000, log: (event, facts) => void problems.push(`${event}: ${JSON.stringify(facts)}`),
  });
  if (!core.deps.sync?.identity().deviceId) {
    await core.close();
    throw new Error(`the desk did not enrol: ${problems.join('; ')}`);
  }
  // gnome-keyring under load sometimes answers a read right after the write with nothing yet.
  await eventually(async () => (await core.deps.secrets.get('device.credential')) !== null, 'the device credential in the keychain');
  const client = core.newClient('test');
  const call = async <T>(name: CallName, input: unknown): Promise<T> => {
    const r = (await core.invoke(client, name, input)) as CallResult<T>;
    if (!r.ok) throw Object.assign(new Error(`${name}: ${r.error.message}`), r.error);
    return r.value;
  };
  await call('auth.login', { method: 'password', username: clinic.username, password: PASSWORD, pin: PIN });
  await call('sync.now', {});
  return {
    core, call,
    async close() {
      await core.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
