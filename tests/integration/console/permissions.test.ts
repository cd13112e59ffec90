import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../../src-server/commands';
import { COMMAND_PERMISSIONS, ROLE_PERMISSIONS, roleHas, rolesWith, Permission } from '../../../src-shared/api/permissions';
import { commandSchemas } from '../../../src-shared/schemas/commands';
import { Role } from '../../../src-shared/schemas/enums';
import type { AccountView } from '../../../src-shared/schemas/accounts';
import { api, PASSWORD, PIN, World, type Device } from '../accounts/support';
import { DB_KINDS } from '../sync/support/harness';

const NEW = { password: 'a brand new password', pin: '135790' };

describe('the permission table', () => {
  it('gives console and cross-clinic permissions to the system administrator only', () => {
    const consoleOnly: Permission[] = [
      'users.manage_all_clinics', 'users.grant_system_admin', 'console.access', 'clinics.manage', 'orders.read_all_clinics', 'orders.request_cancellation',
      'service_settings.write', 'activity.read_all', 'activity.verify',
    ];
    for (const p of consoleOnly) {
      expect(roleHas('staff', p), p).toBe(false);
      expect(roleHas('clinic_admin', p), p).toBe(false);
      expect(roleHas('system_admin', p), p).toBe(true);
    }
    expect(roleHas('staff', 'users.manage')).toBe(false);
    expect(roleHas('clinic_admin', 'users.manage')).toBe(true);
    // A system administrator can do everything the table knows.
    for (const p of Permission.options) expect(ROLE_PERMISSIONS.system_admin.has(p), p).toBe(true);
    // And nobody has a permission without a session.
    for (const p of Permission.options) if (p !== 'public') expect(roleHas(null, p), p).toBe(false);
    expect(Role.options).toEqual(['staff', 'clinic_admin', 'system_admin']);
  });

  it('is the one the server applies to every synced command', () => {
    const registry = defaultRegistry();
    expect([...registry.keys()].sort()).toEqual(Object.keys(commandSchemas).sort());
    for (const [name, handler] of registry) {
      const permission = COMMAND_PERMISSIONS[name as keyof typeof COMMAND_PERMISSIONS];
      expect(permission, name).toBeDefined();
      expect([...handler.roles].sort(), name).toEqual(rolesWith(permission).sort());
    }
    expect(rolesWith('users.manage')).toEqual(['clinic_admin', 'system_admin']);
    expect(rolesWith('console.access')).toEqual(['system_admin']);
  });
});

describe.each(DB_KINDS)('permissions enforced over HTTP (%s)', (kind) => {
  let w: World;
  let sys: string;
  let clinicA: string;
  let clinicB: string;
  let devA: Device;
  let devB: Device;
  let staffA: { id: string; token: string };
  let adminA: { id: string; token: string };
  let staffB: string;

  /** A user of a clinic who has done the first change and holds a desk session. */
  const person = async (clinicId: string, dev: Device, role: 'staff' | 'clinic_admin') => {
    const username = `${role.replace('_', '')}.${randomUUID().slice(0, 6)}`;
    const id = await w.createUser(sys, { clinicId, username, displayName: `${role} user`, role });
    expect((await w.firstChange(dev, username)).status).toBe(200);
    return { id, token: await w.deskToken(dev, username, NEW.password, NEW.pin) };
  };

  beforeEach(async () => {
    w = await World.start(kind);
    sys = await w.consoleToken();
    clinicA = (await w.con<{ clinic: { id: string } }>(sys, 'POST', '/clinics', { name: 'Klinik A' })).body.clinic.id;
    clinicB = (await w.con<{ clinic: { id: string } }>(sys, 'POST', '/clinics', { name: 'Klinik B' })).body.clinic.id;
    devA = await w.enrol(clinicA);
    devB = await w.enrol(clinicB);
    staffA = await person(clinicA, devA, 'staff');
    adminA = await person(clinicA, devA, 'clinic_admin');
    staffB = await w.createUser(sys, { clinicId: clinicB, username: 'staff.b', displayName: 'Staff B', role: 'staff' });
  });
  afterEach(async () => {
    await w?.close();
  });

  const newUser = (clinicId: string | null, role: string) => ({ clinicId, username: `u.${randomUUID().slice(0, 8)}`, displayName: 'Ny Användare', role, password: PASSWORD, pin: PIN });

  it('staff cannot manage users', async () => {
    for (const [method, path, body] of [
      ['GET', '/v1/accounts/users', undefined],
      ['POST', '/v1/accounts/users', newUser(clinicA, 'staff')],
      ['PATCH', `/v1/accounts/users/${adminA.id}`, { displayName: 'Hacked' }],
      ['POST', `/v1/accounts/users/${adminA.id}/reset`, {}],
      ['DELETE', `/v1/accounts/users/${adminA.id}`, undefined],
    ] as const) {
      const r = await w.desk(staffA.token, method, path, body);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.error).toBe('forbidden');
    }
  });

  it('a clinic admin manages the own clinic only, and cannot see or touch another clinic', async () => {
    const list = await w.desk<{ users: AccountView[] }>(adminA.token, 'GET', '/v1/accounts/users');
    expect(list.status).toBe(200);
    expect(list.body.users.length).toBeGreaterThanOrEqual(2);
    expect(list.body.users.every((u) => u.clinicId === clinicA)).toBe(true);
    // Own clinic: add, edit, reset.
    const created = await w.desk<{ user: AccountView }>(adminA.token, 'POST', '/v1/accounts/users', newUser(clinicA, 'staff'));
    expect(created.status).toBe(200);
    expect(created.body.user.mustChange).toBe(true);
    expect((await w.desk(adminA.token, 'PATCH', `/v1/accounts/users/${staffA.id}`, { displayName: 'Stina Staff' })).status).toBe(200);
    const reset = await w.desk<{ password: string; pin: string }>(adminA.token, 'POST', `/v1/accounts/users/${created.body.user.id}/reset`, {});
    expect(reset.status).toBe(200);
    expect(reset.body.password).toMatch(/^.{14}$/);
    expect(reset.body.pin).toMatch(/^\d{6}$/);
    // Another clinic: invisible (404 as if it did not exist), whatever the request names.
    for (const [method, path, body] of [
      ['PATCH', `/v1/accounts/users/${staffB}`, { displayName: 'Hacked' }],
      ['PATCH', `/v1/accounts/users/${staffB}`, { active: false }],
      ['POST', `/v1/accounts/users/${staffB}/reset`, {}],
      ['POST', '/v1/accounts/users', newUser(clinicB, 'staff')],
      ['DELETE', `/v1/accounts/users/${staffB}`, undefined],
    ] as const) {
      const r = await w.desk(adminA.token, method, path, body);
      expect(r.status, `${method} ${path}`).toBe(404);
    }
    const b = await w.con<{ users: AccountView[] }>(sys, 'GET', `/users?clinicId=${clinicB}`);
    expect(b.body.users.find((u) => u.id === staffB)).toMatchObject({ displayName: 'Staff B', active: true });
    // A desk session is not a console session: the console API refuses it.
    for (const path of ['/clinics', '/users', `/activity?clinicId=${clinicB}`]) {
      expect((await w.con(adminA.token, 'GET', path)).status, path).toBe(401);
    }
  });

  it('a clinic admin cannot make anyone a system admin', async () => {
    const create = await w.desk(adminA.token, 'POST', '/v1/accounts/users', newUser(null, 'system_admin'));
    expect(create.status).toBe(403);
    expect(create.body).toMatchObject({ error: 'forbidden_role', field: 'role' });
    const inClinic = await w.desk(adminA.token, 'POST', '/v1/accounts/users', newUser(clinicA, 'system_admin'));
    expect(inClinic.status).toBe(403);
    const promote = await w.desk(adminA.token, 'PATCH', `/v1/accounts/users/${staffA.id}`, { role: 'system_admin' });
    expect(promote.status).toBe(403);
    expect(promote.body.field).toBe('role');
    // Nor touch a system administrator.
    const touch = await w.desk(adminA.token, 'PATCH', `/v1/accounts/users/${w.sysadminId}`, { active: false });
    expect(touch.status).toBe(404);
    const admins = await w.con<{ users: AccountView[] }>(sys, 'GET', '/users?clinicId=none');
    expect(admins.body.users.map((u) => u.role)).toEqual(['system_admin']);
  });

  it('staff and clinic admins cannot log in to the console', async () => {
    const username = `ca.${randomUUID().slice(0, 6)}`;
    await w.createUser(sys, { clinicId: clinicA, username, displayName: 'Clinic Admin', role: 'clinic_admin' });
    await w.firstChange(devA, username);
    const r = await w.consoleLogin(username, NEW.password, NEW.pin);
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('not_system_admin');
  });

  it('a system admin can do everything, in every clinic', async () => {
    const sa = await w.con<{ user: AccountView }>(sys, 'POST', '/users', newUser(null, 'system_admin'));
    expect(sa.status).toBe(200);
    expect((await w.con(sys, 'POST', '/users', newUser(clinicB, 'clinic_admin'))).status).toBe(200);
    expect((await w.con(sys, 'PATCH', `/users/${staffB}`, { role: 'clinic_admin' })).status).toBe(200);
    expect((await w.con(sys, 'POST', `/users/${staffB}/reset`, { pin: true, password: false })).status).toBe(200);
    expect((await w.con(sys, 'PATCH', `/clinics/${clinicB}`, { name: 'Klinik B2' })).status).toBe(200);
    expect((await w.con(sys, 'POST', `/clinics/${clinicB}/enrolment-codes`, {})).status).toBe(200);
    expect((await w.con(sys, 'POST', '/orders/search', { search: 'x' })).status).toBe(200);
    expect((await w.con(sys, 'GET', '/activity')).status).toBe(200);
    expect((await w.con(sys, 'POST', '/activity/verify')).status).toBe(200);
    const s = await w.con<{ settings: unknown }>(sys, 'GET', '/settings');
    expect((await w.con(sys, 'PUT', '/settings', s.body.settings)).status).toBe(200);
    // A system administrator may log in at a desk of any clinic (support work).
    expect((await w.deskLogin(devB, { method: 'password', username: 'sys.admin', password: 'system admin password 1', pin: '246810' })).status).toBe(200);
    // Even a system administrator cannot disable or demote the own account (no lock-out of the service).
    const self = await w.con(sys, 'PATCH', `/users/${w.sysadminId}`, { active: false });
    expect(self.status).toBe(400);
    expect(self.body.field).toBe('active');
  });

  it('no direct HTTP call gets around it: no token, forged tokens, desk tokens on the console, console tokens on the desk API', async () => {
    const consolePaths: [string, string, unknown][] = [
      ['GET', '/clinics', undefined], ['POST', '/clinics', { name: 'X' }], ['GET', '/users', undefined], ['POST', '/users', newUser(clinicA, 'staff')],
      ['POST', '/orders/search', {}], ['GET', '/settings', undefined], ['PUT', '/settings', {}], ['GET', '/activity', undefined], ['POST', '/activity/verify', undefined],
      ['POST', `/clinics/${clinicA}/enrolment-codes`, {}], ['PATCH', `/users/${staffB}`, { active: false }],
    ];
    const forged = [`kc1.${randomUUID()}.${'A'.repeat(43)}`, `${sys.split('.').slice(0, 2).join('.')}.${'B'.repeat(43)}`, staffA.token, adminA.token, 'garbage'];
    for (const [method, path, body] of consolePaths) {
      const none = await api(w.url, method, `/console/api${path}`, body);
      expect(none.status, `${method} ${path} without a token`).toBe(401);
      for (const t of forged) expect((await w.con(t, method, path, body)).status, `${method} ${path} with ${t.slice(0, 12)}`).toBe(401);
    }
    // A console token is not a desk session.
    expect((await w.desk(sys, 'GET', '/v1/accounts/users')).status).toBe(401);
    // Nothing was changed by any of it.
    const b = await w.con<{ users: AccountView[] }>(sys, 'GET', `/users?clinicId=${clinicB}`);
    expect(b.body.users.find((u) => u.id === staffB)?.active).toBe(true);
    // The sync push re-checks the actor's role for every mutation too: a staff user of clinic B
    // named as actor on clinic A's desk is refused.
    const push = await api<{ results: { status: string; code?: string }[] }>(w.url, 'POST', '/v1/sync/push', {
      mutations: [{ mutationId: randomUUID(), deviceId: devA.id, seq: 1, name: 'patient.create', actorUserId: staffB, payload: {}, clientTime: new Date().toISOString() }],
    }, { authorization: devA.header });
    expect(push.body.results[0]).toMatchObject({ status: 'rejected', code: 'unknown_actor' });
  });
});
