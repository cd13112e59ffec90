import { afterEach, describe, expect, it } from 'vitest';
import { ensureSystemAdmin } from '../../../src-server/accounts/bootstrap';
import { accountsDb } from '../../../src-server/accounts/schema';
import { api, createBackend, DB_KINDS, startServer, type RunningServer, type TestBackend } from '../sync/support/harness';
import { SYSADMIN } from './support';

/**
 * The per-address limit on failed logins (30 per 10 minutes) lives in the database: a second
 * server instance on the same database, or the same one after a restart, keeps counting.
 */
describe.each(DB_KINDS)('failed-login limit per client address, shared and durable (%s)', (kind) => {
  let backend: TestBackend | null = null;
  const servers: RunningServer[] = [];

  const start = async () => {
    const s = await startServer(backend!, { accounts: { trustForwardedFor: true } });
    servers.push(s);
    return s;
  };
  const login = (s: RunningServer, ip: string, username = 'nobody.here', password = 'Sommar2026!', pin = '1234') =>
    api<{ error?: string }>(s.url, 'POST', '/console/api/login', { username, password, pin }, { 'x-forwarded-for': ip });
  const failures = (s: RunningServer) => accountsDb(s.app.sdb.db).selectFrom('login_failures').selectAll().execute();

  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
    await backend?.dispose();
    backend = null;
  });

  it('counts the failures of one address on every instance sharing the database', async () => {
    backend = await createBackend(kind);
    const a = await start();
    const b = await start();
    await ensureSystemAdmin(a.app.sdb, { ...SYSADMIN, displayName: 'Sara Systemsson', mustChange: false });
    const attacker = '203.0.113.9';
    for (let i = 0; i < 15; i += 1) {
      expect((await login(a, attacker, `guess.a${i}`)).status).toBe(401);
      expect((await login(b, attacker, `guess.b${i}`)).status).toBe(401);
    }
    // 30 in all, 15 on each: both instances refuse the 31st, even with the right secrets.
    for (const s of [a, b]) {
      const r = await login(s, attacker, SYSADMIN.username, SYSADMIN.password, SYSADMIN.pin);
      expect(r.status).toBe(429);
      expect(r.body.error).toBe('too_many_attempts');
    }
    // Another address is untouched.
    expect((await login(b, '198.51.100.20', SYSADMIN.username, SYSADMIN.password, SYSADMIN.pin)).status).toBe(200);
    const rows = await failures(a);
    expect(rows.filter((r) => r.address === attacker).reduce((n, r) => n + Number(r.failures), 0)).toBe(30);
  });

  it('remembers the failures across a restart of the server', async () => {
    backend = await createBackend(kind);
    const first = await start();
    const attacker = '203.0.113.10';
    for (let i = 0; i < 30; i += 1) expect((await login(first, attacker, `guess.${i}`)).status).toBe(401);
    expect((await login(first, attacker)).status).toBe(429);
    await servers.pop()!.close();
    const again = await start();
    const r = await login(again, attacker);
    expect(r.status).toBe(429);
    expect(r.body.error).toBe('too_many_attempts');
  });

  it('does not count failures older than the window, and clears them', async () => {
    backend = await createBackend(kind);
    const s = await start();
    const db = accountsDb(s.app.sdb.db);
    const minute = Math.floor(Date.now() / 60_000);
    const attacker = '203.0.113.11';
    // 1000 failures eleven minutes ago, 29 within the window (eight minutes ago: still inside if
    // the clock passes a minute boundary during the test).
    await db.insertInto('login_failures').values([{ address: attacker, minute: minute - 11, failures: 1000 }, { address: attacker, minute: minute - 8, failures: 29 }]).execute();
    expect((await login(s, attacker)).status).toBe(401);
    // That was the 30th within the window; the old rows are gone.
    expect((await login(s, attacker)).status).toBe(429);
    const rows = await failures(s);
    expect(rows.some((r) => Number(r.minute) < minute - 8)).toBe(false);
    expect(rows.map((r) => Number(r.failures)).sort()).toEqual([1, 29].sort());
  });
});
