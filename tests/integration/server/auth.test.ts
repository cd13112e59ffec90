import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceAuthorization } from '../../../src-shared/sync/protocol';
import {
  ADMIN_TOKEN, api, createBackend, createClinic, DB_KINDS, enrolmentCode, PASSWORD, PIN, startServer,
  type RunningServer, type TestBackend, type TestClinic,
} from '../sync/support/harness';

describe.each(DB_KINDS)('enrolment, sessions and token checks (%s)', (kind) => {
  let backend: TestBackend;
  let server: RunningServer;
  let clinic: TestClinic;
  let device: { deviceId: string; clinicId: string; deviceCredential: string };
  let deviceHeader: string;

  beforeEach(async () => {
    backend = await createBackend(kind);
    server = await startServer(backend);
    clinic = await createClinic(server.url);
    const code = await enrolmentCode(server.url, clinic.clinicId);
    const r = await api<typeof device>(server.url, 'POST', '/v1/enrol', { code, deviceName: 'Reception 1' });
    expect(r.status).toBe(200);
    device = r.body;
    deviceHeader = deviceAuthorization(device.deviceId, device.deviceCredential);
    // A spent code cannot enrol a second device.
    const again = await api<{ error: string }>(server.url, 'POST', '/v1/enrol', { code, deviceName: 'Thief' });
    expect(again.status).toBe(403);
    expect(again.body.error).toBe('enrolment_code_invalid');
  });

  afterEach(async () => {
    await server?.close();
    await backend?.dispose();
  });

  const login = (body: Record<string, unknown>, dev = deviceHeader) =>
    api<{ accessToken: string; refreshToken: string; error?: string; message?: string }>(server.url, 'POST', '/v1/auth/login', body, { 'x-kassa-device': dev });
  const me = (token: string) => api<{ userId: string; error?: string }>(server.url, 'GET', '/v1/auth/me', undefined, { authorization: `Bearer ${token}` });

  it('stores secrets only as hashes and logs in with password and PIN', async () => {
    const dev = await server.app.sdb.db.selectFrom('devices').selectAll().where('id', '=', device.deviceId).executeTakeFirstOrThrow();
    expect(dev.credential_hash).not.toContain(device.deviceCredential);
    const user = await server.app.sdb.db.selectFrom('users').selectAll().where('id', '=', clinic.userId).executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^scrypt\$/);
    expect(user.password_hash).not.toContain(PASSWORD);
    const ok = await login({ method: 'password', username: clinic.username, password: PASSWORD, pin: PIN });
    expect(ok.status).toBe(200);
    expect((await me(ok.body.accessToken)).body.userId).toBe(clinic.userId);
    // Pull works with the user's session as well as with the device credential.
    const pulled = await api(server.url, 'GET', '/v1/sync/pull?cursor=0', undefined, { authorization: `Bearer ${ok.body.accessToken}` });
    expect(pulled.status).toBe(200);
  });

  it('refuses wrong passwords, wrong PINs, unknown users and logins without a device', async () => {
    for (const body of [
      { method: 'password', username: clinic.username, password: 'wrong password', pin: PIN },
      { method: 'password', username: clinic.username, password: PASSWORD, pin: '0000' },
      { method: 'password', username: 'nobody.here', password: PASSWORD, pin: PIN },
    ]) {
      const r = await login(body);
      expect(r.status).toBe(401);
      expect(r.body.error).toBe('bad_credentials');
    }
    const noDevice = await login({ method: 'password', username: clinic.username, password: PASSWORD, pin: PIN }, 'Device nope');
    expect(noDevice.status).toBe(401);
  });

  it('refuses forged, stale, revoked and rotated tokens', async () => {
    const s = await login({ method: 'password', username: clinic.username, password: PASSWORD, pin: PIN });
    const [, sessionId] = s.body.accessToken.split('.');
    // Forged: unknown session, right session with a wrong secret, wrong shape, wrong kind.
    for (const forged of [`ka1.${randomUUID()}.${'x'.repeat(43)}`, `ka1.${sessionId}.${'A'.repeat(43)}`, 'garbage', s.body.refreshToken]) {
      const r = await me(forged);
      expect(r.status, forged).toBe(401);
      expect(r.body.error).toBe('bad_access_token');
    }
    // Forged device credential, and a device id that is real with a wrong credential.
    for (const dev of [deviceAuthorization(randomUUID(), 'A'.repeat(43)), deviceAuthorization(device.deviceId, 'B'.repeat(43))]) {
      const r = await api<{ error: string }>(server.url, 'GET', '/v1/sync/pull', undefined, { authorization: dev });
      expect(r.status).toBe(401);
    }

    // Refresh rotates; replaying the old refresh token is theft and ends the session.
    const r1 = await api<{ accessToken: string; refreshToken: string }>(server.url, 'POST', '/v1/auth/refresh', { refreshToken: s.body.refreshToken }, { 'x-kassa-device': deviceHeader });
    expect(r1.status).toBe(200);
    expect(r1.body.refreshToken).not.toBe(s.body.refreshToken);
    expect((await me(r1.body.accessToken)).status).toBe(200);
    const replay = await api<{ error: string }>(server.url, 'POST', '/v1/auth/refresh', { refreshToken: s.body.refreshToken }, { 'x-kassa-device': deviceHeader });
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('refresh_token_reused');
    expect((await me(r1.body.accessToken)).status).toBe(401);

    // Stale: an access token past its expiry.
    const s2 = await login({ method: 'password', username: clinic.username, password: PASSWORD, pin: PIN });
    const [, sid2] = s2.body.accessToken.split('.');
    expect((await me(s2.body.accessToken)).status).toBe(200);
    await server.app.sdb.db.updateTable('sessions').set({ access_expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', sid2!).execute();
    expect((await me(s2.body.accessToken)).status).toBe(401);

    // Logout revokes; a revoked device can no longer sync.
    const s3 = await login({ method: 'password', username: clinic.username, password: PASSWORD, pin: PIN });
    expect((await api(server.url, 'POST', '/v1/auth/logout', undefined, { authorization: `Bearer ${s3.body.accessToken}` })).status).toBe(204);
    expect((await me(s3.body.accessToken)).status).toBe(401);
    await server.app.sdb.db.updateTable('devices').set({ revoked_at: new Date().toISOString() }).where('id', '=', device.deviceId).execute();
    const revoked = await api<{ error: string }>(server.url, 'GET', '/v1/sync/pull', undefined, { authorization: deviceHeader });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error).toBe('device_revoked');
  });

  it('guards the bootstrap admin API with its token', async () => {
    expect((await api(server.url, 'POST', '/v1/admin/clinics', { name: 'X' })).status).toBe(401);
    expect((await api(server.url, 'POST', '/v1/admin/clinics', { name: 'X' }, { authorization: `Admin ${ADMIN_TOKEN}x` })).status).toBe(401);
    expect((await api(server.url, 'POST', '/v1/admin/clinics', { name: 'X' }, { authorization: `Admin ${ADMIN_TOKEN}` })).status).toBe(200);
  });
});
