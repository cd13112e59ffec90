import { readFileSync, existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackend, createClinic, DB_KINDS, enrolDesk, startServer, type Desk, type RunningServer, type TestBackend, type TestClinic } from './support/harness';

describe.each(DB_KINDS)('desk enrolment and its credential (%s)', (kind) => {
  let backend: TestBackend;
  let server: RunningServer;
  let clinic: TestClinic;
  let desk: Desk;

  beforeEach(async () => {
    backend = await createBackend(kind);
    server = await startServer(backend);
    clinic = await createClinic(server.url);
    desk = await enrolDesk(server.url, clinic, backend.dir, 'desk');
  });

  afterEach(async () => {
    await desk?.close();
    await server?.close();
    await backend?.dispose();
  });

  it('keeps the credential in the keychain only, pulls reference data without secrets, and shows a refused credential clearly', async () => {
    const secrets = desk.secrets as typeof desk.secrets & { kind: string };
    // Under scripts/with-keyring.sh the real OS keychain (SecretStore) holds it.
    if (process.env.KASSA_KEYRING_READY) expect(secrets.kind).toBe('keychain');
    const credential = (await desk.secrets.get('device.credential'))!;
    expect(credential.length).toBeGreaterThanOrEqual(32);

    await desk.engine.syncOnce();
    expect(desk.engine.status()).toMatchObject({ enrolled: true, online: true, pending: 0, rejected: 0, lastError: null });
    const ref = desk.store.sqlite.prepare(`SELECT entity, data FROM sync_entities ORDER BY entity`).all() as { entity: string; data: string }[];
    expect(ref.map((r) => r.entity)).toEqual(['clinic', 'price_item', 'user']);
    const user = JSON.parse(ref.find((r) => r.entity === 'user')!.data) as Record<string, unknown>;
    expect(user).toMatchObject({ id: clinic.userId, role: 'staff', active: true });
    expect(Object.keys(user).some((k) => /password|pin|hash/i.test(k))).toBe(false);
    const prices = desk.store.sqlite.prepare(`SELECT code, unit_price FROM price_items`).all();
    expect(prices).toEqual([{ code: 'U1', unit_price: 95_000 }]);

    desk.store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    for (const f of [desk.file, `${desk.file}-wal`]) {
      if (existsSync(f)) expect(readFileSync(f).includes(Buffer.from(credential))).toBe(false);
    }

    // An administrator revokes the desk: the next round fails with a message a person can act on.
    await server.app.sdb.db.updateTable('devices').set({ revoked_at: new Date().toISOString() }).execute();
    await expect(desk.engine.syncOnce()).rejects.toThrow(/revoked/);
    expect(desk.engine.status()).toMatchObject({ online: true });
    expect(desk.engine.status().lastError).toMatch(/revoked by an administrator\. Enrol it again/);
  });
});
