import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GeoPluginControl } from '../../../src-sandbox/control-client';
import { createGeoPluginSim, type GeoPluginSim } from '../../../src-sandbox/geoplugin/server';
import { verifyPassword } from '../../../src-server/auth/crypto';
import { accountsDb } from '../../../src-server/accounts/schema';
import { offlineLoginAllowed, UserVerifier, type ServiceSettings } from '../../../src-shared/schemas/accounts';
import type { ActivityPage } from '../../../src-shared/schemas/console';
import { DB_KINDS } from '../sync/support/harness';
import { api, PASSWORD, personnummer, PIN, World, type Device } from './support';

const past = (ms: number) => new Date(Date.now() - ms).toISOString();

describe.each(DB_KINDS)('accounts: secrets, lockout, sessions, offline verifiers (%s)', (kind) => {
  let w: World;
  let sys: string;
  let clinicId: string;
  let dev: Device;

  beforeEach(async () => {
    w = await World.start(kind);
    sys = await w.consoleToken();
    clinicId = (await w.clinic('Tandvården Norr')).clinicId;
    dev = await w.enrol(clinicId);
  });
  afterEach(async () => {
    await w?.close();
  });

  const user = (id: string) => accountsDb(w.sdb.db).selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('hashes passwords and PINs with scrypt and a salt per user, and never shows a hash or a secret', async () => {
    const a = await w.createUser(sys, { clinicId, username: 'anna.a', displayName: 'Anna A', role: 'staff' });
    const b = await w.createUser(sys, { clinicId, username: 'bo.b', displayName: 'Bo B', role: 'staff' });
    const [ua, ub] = [await user(a), await user(b)];
    expect(ua.password_hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    // Same password, different salts: different hashes.
    expect(ua.password_hash).not.toBe(ub.password_hash);
    expect(ua.password_hash.split('$')[4]).not.toBe(ub.password_hash.split('$')[4]);
    expect(await verifyPassword(PASSWORD, ua.password_hash)).toBe(true);
    expect(await verifyPassword(PIN, ua.pin_hash)).toBe(true);
    expect(await verifyPassword('wrong', ua.password_hash)).toBe(false);
    // Account views and the public user entity carry no secret material.
    const list = await w.con<{ users: unknown[] }>(sys, 'GET', `/users?clinicId=${clinicId}`);
    const text = JSON.stringify(list.body);
    expect(text).not.toContain('scrypt$');
    expect(text).not.toContain(PASSWORD);
    const users = await w.feedState(dev, 'user');
    expect(JSON.stringify([...users.values()])).not.toMatch(/scrypt|password|pin_hash/i);
    // The offline verifier carries the hash (for scrypt on the desk), never the plaintext.
    const verifiers = await w.feedState(dev, 'user_verifier');
    const v = UserVerifier.parse(verifiers.get(a));
    expect(v.passwordHash).toBe(ua.password_hash);
    expect(JSON.stringify(v)).not.toContain(PASSWORD);
  });

  it('forces a change of the temporary password at the first login, then logs in with the new one', async () => {
    const id = await w.createUser(sys, { clinicId, username: 'cecilia', displayName: 'Cecilia C', role: 'staff' });
    const first = await w.deskLogin(dev, { method: 'password', username: 'cecilia', password: PASSWORD, pin: PIN });
    expect(first.status).toBe(403);
    expect(first.body.error).toBe('password_change_required');
    // The new password must differ and be long enough; the errors name the field.
    const same = await api<{ field?: string }>(w.url, 'POST', '/v1/auth/password', { username: 'cecilia', password: PASSWORD, pin: PIN, newPassword: PASSWORD }, { 'x-kassa-device': dev.header });
    expect(same.status).toBe(400);
    expect(same.body.field).toBe('body.newPassword');
    const short = await api<{ field?: string }>(w.url, 'POST', '/v1/auth/password', { username: 'cecilia', password: PASSWORD, pin: PIN, newPassword: 'short' }, { 'x-kassa-device': dev.header });
    expect(short.body.field).toBe('body.newPassword');
    expect((await w.firstChange(dev, 'cecilia')).status).toBe(200);
    expect((await user(id)).must_change).toBe(0);
    expect((await w.deskLogin(dev, { method: 'password', username: 'cecilia', password: PASSWORD, pin: PIN })).status).toBe(401);
    const ok = await w.deskLogin(dev, { method: 'password', username: 'cecilia', password: 'a brand new password', pin: '135790' });
    expect(ok.status).toBe(200);
  });

  it('locks the password and the PIN separately after repeated failures, with a lock that doubles', async () => {
    const c = await w.clinic('Lås');
    const d = await w.enrol(c.clinicId);
    const login = (password: string, pin: string) => w.deskLogin(d, { method: 'password', username: c.username, password, pin });
    // Four wrong PINs with the right password: the PIN counts, the password does not.
    for (let i = 0; i < 4; i += 1) expect((await login(PASSWORD, '0000')).status).toBe(401);
    let row = await user(c.userId);
    expect([row.pin_failures, row.password_failures, row.pin_locked_until]).toEqual([4, 0, null]);
    // A success resets the counters.
    expect((await login(PASSWORD, PIN)).status).toBe(200);
    row = await user(c.userId);
    expect([row.pin_failures, row.password_failures]).toEqual([0, 0]);
    // Five wrong passwords lock the password (30 s by default) ...
    const before = Date.now();
    for (let i = 0; i < 5; i += 1) expect((await login('not the password', PIN)).status).toBe(401);
    row = await user(c.userId);
    expect(row.password_failures).toBe(5);
    expect(row.pin_locked_until).toBeNull();
    const lock1 = Date.parse(row.password_locked_until!) - before;
    expect(lock1).toBeGreaterThanOrEqual(29_000);
    expect(lock1).toBeLessThan(31_000 + (Date.now() - before));
    // ... and while locked even the right secrets are refused, naming the locked part.
    const locked = await login(PASSWORD, PIN);
    expect(locked.status).toBe(423);
    expect(locked.body.error).toBe('locked_out');
    expect(locked.body.field).toBe('password');
    // The lock ends; the next failure locks twice as long.
    await accountsDb(w.sdb.db).updateTable('users').set({ password_locked_until: past(1000) }).where('id', '=', c.userId).execute();
    const t2 = Date.now();
    expect((await login('still wrong', PIN)).status).toBe(401);
    row = await user(c.userId);
    expect(row.password_failures).toBe(6);
    expect(Date.parse(row.password_locked_until!) - t2).toBeGreaterThanOrEqual(59_000);
    // Lockouts are in the activity log as refusals.
    const act = await w.con<ActivityPage>(sys, 'GET', `/activity?userId=${c.userId}&action=auth.login`);
    expect(act.body.rows.filter((r) => r.outcome === 'refused').length).toBeGreaterThanOrEqual(10);
    expect(act.body.rows.some((r) => r.details.why === 'locked')).toBe(true);
  });

  it('throttles one address that tries many usernames, without touching other addresses', async () => {
    const c = await w.clinic('Spray');
    const d = await w.enrol(c.clinicId);
    const attacker = '203.0.113.7';
    for (let i = 0; i < 30; i += 1) {
      const r = await w.deskLogin(d, { method: 'password', username: `guess.${i}`, password: 'Sommar2026!', pin: '1234' }, attacker);
      expect(r.status).toBe(401);
    }
    const blocked = await w.deskLogin(d, { method: 'password', username: c.username, password: PASSWORD, pin: PIN }, attacker);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error).toBe('too_many_attempts');
    // The account itself is not locked: from elsewhere it logs in.
    expect((await w.deskLogin(d, { method: 'password', username: c.username, password: PASSWORD, pin: PIN }, '198.51.100.4')).status).toBe(200);
  });

  it('ends every session of a user at once when the role changes or the user is disabled', async () => {
    const id = await w.createUser(sys, { clinicId, username: 'dag.d', displayName: 'Dag D', role: 'staff' });
    await w.firstChange(dev, 'dag.d');
    const login = () => w.deskLogin(dev, { method: 'password', username: 'dag.d', password: 'a brand new password', pin: '135790' });
    const s1 = await login();
    const s2 = await login();
    const me = (t: string) => api(w.url, 'GET', '/v1/auth/me', undefined, { authorization: `Bearer ${t}` });
    expect((await me(s1.body.accessToken)).status).toBe(200);
    expect((await w.con(sys, 'PATCH', `/users/${id}`, { role: 'clinic_admin' })).status).toBe(200);
    for (const s of [s1, s2]) {
      expect((await me(s.body.accessToken)).status).toBe(401);
      const refreshed = await api(w.url, 'POST', '/v1/auth/refresh', { refreshToken: s.body.refreshToken }, { 'x-kassa-device': dev.header });
      expect(refreshed.status).toBe(401);
    }
    const s3 = await login();
    expect(s3.body.role).toBe('clinic_admin');
    expect((await w.con(sys, 'PATCH', `/users/${id}`, { active: false })).status).toBe(200);
    expect((await me(s3.body.accessToken)).status).toBe(401);
    expect((await login()).status).toBe(401);
    // A displayName change does not end sessions.
    expect((await w.con(sys, 'PATCH', `/users/${id}`, { active: true })).status).toBe(200);
    const s4 = await login();
    expect((await w.con(sys, 'PATCH', `/users/${id}`, { displayName: 'Dag Dagsson' })).status).toBe(200);
    expect((await me(s4.body.accessToken)).status).toBe(200);
  });

  it('expires desk access tokens and console sessions (idle and absolute), and revokes on logout', async () => {
    const c = await w.clinic('Tid');
    const d = await w.enrol(c.clinicId);
    const s = await w.deskLogin(d, { method: 'password', username: c.username, password: PASSWORD, pin: PIN });
    const sid = s.body.accessToken.split('.')[1]!;
    await w.sdb.db.updateTable('sessions').set({ access_expires_at: past(1000) }).where('id', '=', sid).execute();
    expect((await api(w.url, 'GET', '/v1/auth/me', undefined, { authorization: `Bearer ${s.body.accessToken}` })).status).toBe(401);

    const db = accountsDb(w.sdb.db);
    const idle = await w.consoleToken();
    expect((await w.con(idle, 'GET', '/me')).status).toBe(200);
    await db.updateTable('console_sessions').set({ last_seen_at: past(31 * 60_000) }).where('id', '=', idle.split('.')[1]!).execute();
    const idleAnswer = await w.con(idle, 'GET', '/me');
    expect(idleAnswer.status).toBe(401);
    expect(idleAnswer.body.error).toBe('console_session_invalid');
    const old = await w.consoleToken();
    await db.updateTable('console_sessions').set({ expires_at: past(1000) }).where('id', '=', old.split('.')[1]!).execute();
    expect((await w.con(old, 'GET', '/me')).status).toBe(401);
    const out = await w.consoleToken();
    expect((await w.con(out, 'POST', '/logout')).status).toBe(200);
    expect((await w.con(out, 'GET', '/me')).status).toBe(401);
  });

  it('sends each user\'s verifier to the clinic\'s desks: 72 h after the last online login, following the setting, gone when disabled', async () => {
    const c = await w.clinic('Offline');
    const d = await w.enrol(c.clinicId);
    const verifier = async () => UserVerifier.parse((await w.feedState(d, 'user_verifier')).get(c.userId));
    const login = await w.deskLogin(d, { method: 'password', username: c.username, password: PASSWORD, pin: PIN });
    expect(login.status).toBe(200);
    let v = await verifier();
    expect(v.active).toBe(true);
    expect(v.lastOnlineLoginAt).not.toBeNull();
    expect(Date.parse(v.offlineUntil!) - Date.parse(v.lastOnlineLoginAt!)).toBe(72 * 3600_000);
    expect(offlineLoginAllowed(v, new Date(Date.parse(v.lastOnlineLoginAt!) + 71 * 3600_000))).toEqual({ ok: true });
    expect(offlineLoginAllowed(v, new Date(Date.parse(v.lastOnlineLoginAt!) + 73 * 3600_000))).toEqual({ ok: false, reason: 'expired' });
    // The system administrator shortens the window: every desk gets the new limit on its next sync.
    const s = await w.con<{ settings: ServiceSettings }>(sys, 'GET', '/settings');
    const put = await w.con(sys, 'PUT', '/settings', { ...s.body.settings, sessions: { ...s.body.settings.sessions, offlineLoginHours: 24 } });
    expect(put.status).toBe(200);
    v = await verifier();
    expect(Date.parse(v.offlineUntil!) - Date.parse(v.lastOnlineLoginAt!)).toBe(24 * 3600_000);
    // Disabling reaches the desk on its next pull: no hashes, no offline login.
    expect((await w.con(sys, 'PATCH', `/users/${c.userId}`, { active: false })).status).toBe(200);
    v = await verifier();
    expect(v).toMatchObject({ active: false, passwordHash: null, pinHash: null, offlineUntil: null });
    expect(offlineLoginAllowed(v, new Date())).toEqual({ ok: false, reason: 'disabled' });
    const users = await w.feedState(d, 'user');
    expect(users.get(c.userId)?.active).toBe(false);
  });

  it('keeps one unbroken activity chain under parallel logins', async () => {
    const c = await w.clinic('Parallell');
    const d = await w.enrol(c.clinicId);
    const attempts = Array.from({ length: 12 }, (_, i) => w.deskLogin(d, { method: 'password', username: c.username, password: i % 3 === 0 ? 'wrong password' : PASSWORD, pin: PIN }));
    const answers = await Promise.all(attempts);
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(4);
    const v = await w.con<{ ok: boolean; chains: { chainId: string; records: number }[] }>(sys, 'POST', '/activity/verify');
    expect(v.body.ok).toBe(true);
    const server = v.body.chains.find((x) => x.chainId === 'server')!;
    const stored = await accountsDb(w.sdb.db).selectFrom('activity').select('seq').where('chain_id', '=', 'server').orderBy('seq').execute();
    expect(stored.map((r) => Number(r.seq))).toEqual(Array.from({ length: server.records }, (_, i) => i + 1));
    const logins = await w.con<ActivityPage>(sys, 'GET', `/activity?userId=${c.userId}&action=auth.login&limit=50`);
    expect(logins.body.total).toBe(12);
  });

  it('removes a user for good but keeps the row for history, and frees the username and personnummer', async () => {
    const pn = personnummer();
    const id = await w.createUser(sys, { clinicId, username: 'ivar.i', displayName: 'Ivar I', role: 'staff', personnummer: pn });
    await w.firstChange(dev, 'ivar.i');
    const token = await w.deskToken(dev, 'ivar.i', 'a brand new password', '135790');
    expect((await w.con(sys, 'DELETE', `/users/${id}`)).status).toBe(200);
    expect((await api(w.url, 'GET', '/v1/auth/me', undefined, { authorization: `Bearer ${token}` })).status).toBe(401);
    expect((await w.deskLogin(dev, { method: 'password', username: 'ivar.i', password: 'a brand new password', pin: '135790' })).status).toBe(401);
    const list = await w.con<{ users: { id: string }[] }>(sys, 'GET', `/users?clinicId=${clinicId}`);
    expect(list.body.users.map((u) => u.id)).not.toContain(id);
    expect((await w.con(sys, 'PATCH', `/users/${id}`, { active: true })).status).toBe(404);
    const row = await user(id);
    expect(row.display_name).toBe('Ivar I');
    expect(row.removed_at).not.toBeNull();
    // The desk learns it on its next pull; the name and personnummer can be used again.
    expect((await w.feedState(dev, 'user')).get(id)?.active).toBe(false);
    expect(UserVerifier.parse((await w.feedState(dev, 'user_verifier')).get(id))).toMatchObject({ active: false, passwordHash: null });
    await w.createUser(sys, { clinicId, username: 'ivar.i', displayName: 'Ivar Ny', role: 'staff', personnummer: pn });
    const act = await w.con<ActivityPage>(sys, 'GET', `/activity?action=user.remove`);
    expect(act.body.rows[0]).toMatchObject({ subject: `user:${id}`, details: { username: 'ivar.i' } });
  });

  it('a new user has no offline window before a first online login', async () => {
    const id = await w.createUser(sys, { clinicId, username: 'erik.e', displayName: 'Erik E', role: 'staff' });
    const v = UserVerifier.parse((await w.feedState(dev, 'user_verifier')).get(id));
    expect(v.mustChange).toBe(true);
    expect(v.offlineUntil).toBeNull();
    expect(offlineLoginAllowed(v, new Date())).toEqual({ ok: false, reason: 'must_change' });
    expect(offlineLoginAllowed({ ...v, mustChange: false }, new Date())).toEqual({ ok: false, reason: 'never_online' });
  });

  it('maps a BankID personal number from an enrolled desk to the user who has it, once per order', async () => {
    const pn = personnummer();
    const id = await w.createUser(sys, { clinicId, username: 'frida.f', displayName: 'Frida F', role: 'staff', personnummer: pn });
    await w.firstChange(dev, 'frida.f');
    const ok = await w.deskLogin(dev, { method: 'bankid', orderRef: 'order-ref-0001', personalNumber: pn });
    expect(ok.status).toBe(200);
    expect(ok.body.userId).toBe(id);
    const replay = await w.deskLogin(dev, { method: 'bankid', orderRef: 'order-ref-0001', personalNumber: pn });
    expect(replay.status).toBe(409);
    expect(replay.body.error).toBe('bankid_order_reused');
    const nobody = await w.deskLogin(dev, { method: 'bankid', orderRef: 'order-ref-0002', personalNumber: personnummer() });
    expect(nobody.status).toBe(403);
    expect(nobody.body.error).toBe('no_user_for_personnummer');
    // The person exists, but in another clinic: this desk's clinic has nobody with it.
    const other = await w.clinic('Annan');
    const otherDev = await w.enrol(other.clinicId);
    const wrongClinic = await w.deskLogin(otherDev, { method: 'bankid', orderRef: 'order-ref-0003', personalNumber: pn });
    expect(wrongClinic.status).toBe(403);
    // Without a device credential there is no BankID login at all.
    const noDevice = await api(w.url, 'POST', '/v1/auth/login', { method: 'bankid', orderRef: 'order-ref-0004', personalNumber: pn });
    expect(noDevice.status).toBe(401);
  });
});

describe.each(DB_KINDS)('login country policy (%s)', (kind) => {
  let geo: GeoPluginSim;
  let control: GeoPluginControl;
  let geoUrl: string;
  let w: World;
  let sys: string;
  let c: Awaited<ReturnType<World['clinic']>>;
  let d: Device;

  beforeAll(async () => {
    geo = createGeoPluginSim();
    geoUrl = await geo.listen(0);
    control = new GeoPluginControl(geoUrl);
  });
  afterAll(async () => {
    await geo?.close();
  });

  const start = async (baseUrl: string) => {
    w = await World.start(kind, { geo: { baseUrl, timeoutMs: 1000 } });
    sys = await w.consoleToken();
    c = await w.clinic('Geo');
    d = await w.enrol(c.clinicId);
  };
  afterEach(async () => {
    await w?.close();
  });

  const setPolicy = async (countries: Partial<ServiceSettings['countries']>) => {
    const s = await w.con<{ settings: ServiceSettings }>(sys, 'GET', '/settings');
    const r = await w.con(sys, 'PUT', '/settings', { ...s.body.settings, countries: { ...s.body.settings.countries, ...countries } });
    expect(r.status).toBe(200);
  };
  const login = (ip: string) => w.deskLogin(d, { method: 'password', username: c.username, password: PASSWORD, pin: PIN }, ip);
  const lastLogin = async () => (await w.con<ActivityPage>(sys, 'GET', `/activity?userId=${c.userId}&action=auth.login&limit=1`)).body.rows[0]!;

  it('records the country, refuses or flags logins from outside the allowed list per setting', async () => {
    await start(geoUrl);
    await control.setCountry({ ip: '81.2.69.160', countryCode: 'SE' });
    await control.setCountry({ ip: '5.6.7.8', countryCode: 'US' });
    const se = await login('81.2.69.160');
    expect(se.status).toBe(200);
    expect(await lastLogin()).toMatchObject({ outcome: 'ok', country: 'SE', ip: '81.2.69.160', details: { flagged: false } });
    // Default policy: outside the list (SE) is refused, with the reason and the country on record.
    const us = await login('5.6.7.8');
    expect(us.status).toBe(403);
    expect(us.body.error).toBe('country_refused');
    expect(await lastLogin()).toMatchObject({ outcome: 'refused', country: 'US', details: { why: 'country_not_allowed' } });
    // Flag instead of refuse: the login works and the record says why it is flagged.
    await setPolicy({ outside: 'flag' });
    expect((await login('5.6.7.8')).status).toBe(200);
    expect(await lastLogin()).toMatchObject({ outcome: 'ok', country: 'US', details: { flagged: true, flag: 'outside' } });
    // Allow the country outright.
    await setPolicy({ outside: 'refuse', allowedCountries: ['SE', 'US'] });
    expect((await login('5.6.7.8')).status).toBe(200);
    expect(await lastLogin()).toMatchObject({ country: 'US', details: { flagged: false } });
    // The console login follows the same policy.
    await setPolicy({ allowedCountries: ['SE'] });
    expect((await w.consoleLogin(undefined, undefined, undefined, '5.6.7.8')).status).toBe(403);
    expect((await w.consoleLogin(undefined, undefined, undefined, '81.2.69.160')).status).toBe(200);
    // The activity log filters by country.
    const us2 = await w.con<ActivityPage>(sys, 'GET', '/activity?country=US');
    expect(us2.body.rows.length).toBeGreaterThanOrEqual(3);
    expect(us2.body.rows.every((r) => r.country === 'US')).toBe(true);
  });

  it('follows the unknown-country policy when geoPlugin is down', async () => {
    // Nothing listens on port 9 of loopback: every lookup fails fast.
    await start('http://127.0.0.1:9');
    const ip = '81.2.69.161';
    // Default: unknown is let through, flagged.
    expect((await login(ip)).status).toBe(200);
    expect(await lastLogin()).toMatchObject({ outcome: 'ok', country: null, details: { flagged: true, flag: 'unknown', lookup: 'unavailable' } });
    await setPolicy({ unknown: 'refuse' });
    const refused = await login(ip);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('country_refused');
    expect(await lastLogin()).toMatchObject({ outcome: 'refused', country: null, details: { why: 'country_unknown' } });
    await setPolicy({ unknown: 'allow' });
    expect((await login(ip)).status).toBe(200);
    expect(await lastLogin()).toMatchObject({ outcome: 'ok', country: null, details: { flagged: false } });
  });
});
