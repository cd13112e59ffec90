import type { ClinicCreate, ClinicUpdate, ClinicView, DeviceView, EnrolmentCode } from '../../src-shared/schemas/console';
import { createClinic } from '../admin';
import { createEnrolmentCode } from '../auth/service';
import type { ServerDb } from '../db/connect';
import { inClinicTransaction } from '../sync/transact';
import { appendServerActivity } from '../accounts/activity';
import { refuse } from '../accounts/errors';
import { requirePermission, type Actor } from '../accounts/manage';
import { accountsDb } from '../accounts/schema';
import { loadServiceSettings, publishServiceSettings } from '../accounts/settings';
import { revokeUserSessions } from '../accounts/users';

async function clinicRow(sdb: ServerDb, clinicId: string) {
  const row = await sdb.db.selectFrom('clinics').selectAll().where('id', '=', clinicId).executeTakeFirst();
  if (!row) throw refuse(404, 'unknown_clinic', 'This clinic does not exist.', 'clinicId');
  return row;
}

async function isActive(sdb: ServerDb, clinicId: string): Promise<boolean> {
  const s = await accountsDb(sdb.db).selectFrom('clinic_state').select('active').where('clinic_id', '=', clinicId).executeTakeFirst();
  return s ? s.active === 1 : true;
}

export async function listClinics(sdb: ServerDb, actor: Actor): Promise<ClinicView[]> {
  requirePermission(actor, 'clinics.manage');
  const db = accountsDb(sdb.db);
  const [clinics, states, users, devices, orders] = await Promise.all([
    db.selectFrom('clinics').selectAll().orderBy('name').execute(),
    db.selectFrom('clinic_state').selectAll().execute(),
    db.selectFrom('users').select(['clinic_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('clinic_id').execute(),
    db.selectFrom('devices').select(['clinic_id', (eb) => eb.fn.countAll<number>().as('n')]).where('revoked_at', 'is', null).groupBy('clinic_id').execute(),
    db.selectFrom('entities').select(['clinic_id', (eb) => eb.fn.countAll<number>().as('n')]).where('entity', '=', 'order').groupBy('clinic_id').execute(),
  ]);
  const count = (rows: { clinic_id: string | null; n: number | string | bigint }[], id: string) => Number(rows.find((r) => r.clinic_id === id)?.n ?? 0);
  return clinics.map((c) => ({
    id: c.id, name: c.name, active: states.find((s) => s.clinic_id === c.id)?.active !== 0, settings: JSON.parse(c.settings) as Record<string, unknown>,
    createdAt: c.created_at, users: count(users, c.id), devices: count(devices, c.id), orders: count(orders, c.id),
  }));
}

export async function getClinic(sdb: ServerDb, actor: Actor, clinicId: string): Promise<ClinicView> {
  const all = await listClinics(sdb, actor);
  const c = all.find((x) => x.id === clinicId);
  if (!c) throw refuse(404, 'unknown_clinic', 'This clinic does not exist.', 'clinicId');
  return c;
}

export async function addClinic(sdb: ServerDb, actor: Actor, input: ClinicCreate): Promise<ClinicView> {
  requirePermission(actor, 'clinics.manage');
  const id = await createClinic(sdb, input);
  await accountsDb(sdb.db).insertInto('clinic_state').values({ clinic_id: id, active: 1, updated_at: new Date().toISOString() }).execute();
  // A new clinic's desks learn the service settings with their first pull.
  await publishServiceSettings(sdb, id, await loadServiceSettings(sdb));
  await appendServerActivity(sdb, { clinicId: id, actorUserId: actor.userId, action: 'clinic.create', subject: `clinic:${id}`, outcome: 'ok', country: null, ip: actor.ip, details: { name: input.name } });
  return getClinic(sdb, actor, id);
}

export async function editClinic(sdb: ServerDb, actor: Actor, clinicId: string, patch: ClinicUpdate): Promise<ClinicView> {
  requirePermission(actor, 'clinics.manage');
  const before = await clinicRow(sdb, clinicId);
  const now = new Date().toISOString();
  const active = patch.active ?? (await isActive(sdb, clinicId));
  await inClinicTransaction(sdb, clinicId, async (w, trx) => {
    const t = accountsDb(trx);
    const name = patch.name ?? before.name;
    const settings = patch.settings ?? (JSON.parse(before.settings) as Record<string, unknown>);
    await t.updateTable('clinics').set({ name, settings: JSON.stringify(settings) }).where('id', '=', clinicId).execute();
    await t.insertInto('clinic_state').values({ clinic_id: clinicId, active: active ? 1 : 0, updated_at: now }).onConflict((oc) => oc.column('clinic_id').doUpdateSet({ active: active ? 1 : 0, updated_at: now })).execute();
    if (patch.active === false) {
      // Deactivation ends every session of the clinic's users now; new logins are refused. Desks
      // still push what they hold (nothing entered is lost) but nobody can log in to add more.
      const users = await t.selectFrom('users').select('id').where('clinic_id', '=', clinicId).execute();
      for (const u of users) await revokeUserSessions(t, u.id, now);
    }
    w.put('clinic', clinicId, { id: clinicId, name, settings, active }, null);
    await appendServerActivity(sdb, {
      clinicId, actorUserId: actor.userId, action: patch.active === false ? 'clinic.deactivate' : 'clinic.update', subject: `clinic:${clinicId}`, outcome: 'ok', country: null, ip: actor.ip,
      details: { fields: Object.keys(patch).sort().join(',') },
    }, t);
  });
  return getClinic(sdb, actor, clinicId);
}

export async function issueEnrolmentCode(sdb: ServerDb, actor: Actor, clinicId: string, validHours: number): Promise<EnrolmentCode> {
  requirePermission(actor, 'clinics.manage');
  await clinicRow(sdb, clinicId);
  if (!(await isActive(sdb, clinicId))) throw refuse(409, 'clinic_inactive', 'This clinic is deactivated: activate it before enrolling desks.', 'clinicId');
  const ttl = validHours * 3600_000;
  const code = await createEnrolmentCode(sdb, clinicId, actor.userId, ttl);
  await appendServerActivity(sdb, { clinicId, actorUserId: actor.userId, action: 'device.enrolment_code', subject: `clinic:${clinicId}`, outcome: 'ok', country: null, ip: actor.ip, details: { validHours } });
  return { code, clinicId, expiresAt: new Date(Date.now() + ttl).toISOString() };
}

export async function listDevices(sdb: ServerDb, actor: Actor, clinicId: string): Promise<DeviceView[]> {
  requirePermission(actor, 'clinics.manage');
  await clinicRow(sdb, clinicId);
  const db = accountsDb(sdb.db);
  const rows = await db
    .selectFrom('devices')
    .leftJoin('device_sync', 'device_sync.device_id', 'devices.id')
    .select(['devices.id', 'devices.clinic_id', 'devices.name', 'devices.enrolled_at', 'devices.revoked_at', 'devices.last_seq', 'device_sync.last_sync_at'])
    .where('devices.clinic_id', '=', clinicId)
    .orderBy('devices.enrolled_at')
    .execute();
  return rows.map((r) => ({ id: r.id, clinicId: r.clinic_id, name: r.name, enrolledAt: r.enrolled_at, revokedAt: r.revoked_at, lastSyncAt: r.last_sync_at ?? null, lastSeq: Number(r.last_seq) }));
}

export async function revokeDevice(sdb: ServerDb, actor: Actor, clinicId: string, deviceId: string): Promise<void> {
  requirePermission(actor, 'clinics.manage');
  const now = new Date().toISOString();
  const r = await sdb.db.updateTable('devices').set({ revoked_at: now }).where('id', '=', deviceId).where('clinic_id', '=', clinicId).where('revoked_at', 'is', null).executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw refuse(404, 'unknown_device', 'This desk does not exist in this clinic or is already revoked.', 'deviceId');
  await appendServerActivity(sdb, { clinicId, actorUserId: actor.userId, action: 'device.revoke', subject: `device:${deviceId}`, outcome: 'ok', country: null, ip: actor.ip, details: {} });
}
