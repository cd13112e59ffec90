import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceAuthorization, type PushResponse } from '../../../src-shared/sync/protocol';
import { consoleDb } from '../../../src-server/console/order-projection';
import { consoleProjector } from '../../../src-server/console/projector';
import { api, createBackend, createClinic, DB_KINDS, enrolmentCode, orderInput, patientInput, startServer, type RunningServer, type TestBackend } from '../sync/support/harness';

/**
 * The console's search tables are projected from each clinic's change feed off the push path
 * (src-server/console/projector.ts). Several server instances may share one PostgreSQL database
 * and catch up at the same time while desks keep pushing: every order must end up projected
 * exactly once with its newest state, and each clinic's projection cursor at its feed's head.
 */
describe.each(DB_KINDS)('console projection from the change feed (%s)', (kind) => {
  let backend: TestBackend | null = null;
  const servers: RunningServer[] = [];

  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
    await backend?.dispose();
    backend = null;
  });

  it('projects every order once with its newest state while instances catch up concurrently with pushes', async () => {
    backend = await createBackend(kind);
    // SQLite has one server process per file; PostgreSQL may have several.
    for (let i = 0; i < (kind === 'postgres' ? 2 : 1); i++) servers.push(await startServer(backend));
    const [a] = servers as [RunningServer];
    const clinics = [await createClinic(a.url, 'Klinik Ett'), await createClinic(a.url, 'Klinik Två')];
    const desks: { clinic: (typeof clinics)[0]; id: string; auth: Record<string, string>; seq: number }[] = [];
    for (const c of clinics) {
      const r = await api<{ deviceId: string; deviceCredential: string }>(a.url, 'POST', '/v1/enrol', { code: await enrolmentCode(a.url, c.clinicId), deviceName: 'Desk' });
      desks.push({ clinic: c, id: r.body.deviceId, auth: { authorization: deviceAuthorization(r.body.deviceId, r.body.deviceCredential) }, seq: 0 });
    }
    const orderIds = new Map<string, string[]>();
    const push = async (d: (typeof desks)[0], round: number) => {
      const p = patientInput();
      const orders = Array.from({ length: 20 }, () => orderInput(p.id));
      const cancelled = orders[round % orders.length]!;
      const muts = [['patient.create', p], ...orders.map((o) => ['order.create', o]), ['order.cancel', { orderId: cancelled.id, reason: 'duplicate' }]] as const;
      const mutations = muts.map(([name, payload]) => ({ mutationId: randomUUID(), deviceId: d.id, seq: ++d.seq, name, actorUserId: d.clinic.userId, payload, clientTime: new Date().toISOString() }));
      const r = await api<PushResponse>(a.url, 'POST', '/v1/sync/push', { mutations }, d.auth);
      expect(r.status, JSON.stringify(r.body).slice(0, 500)).toBe(200);
      expect(r.body.results.every((x) => x.status === "applied")).toBe(true);
      orderIds.set(d.clinic.clinicId, [...(orderIds.get(d.clinic.clinicId) ?? []), ...orders.map((o) => o.id)]);
      return cancelled.id;
    };

    // Each desk pushes its rounds in order; the desks and every instance's catch-ups interleave.
    const cancelledIds: string[] = [];
    let pushing = true;
    const catchingUp = servers.map(async (s) => {
      while (pushing) {
        await consoleProjector(s.app.sdb).catchUp();
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    await Promise.all(desks.map(async (d) => {
      for (let round = 0; round < 6; round++) cancelledIds.push(await push(d, round));
    }));
    pushing = false;
    await Promise.all(catchingUp);
    await Promise.all(servers.map((s) => consoleProjector(s.app.sdb).catchUp()));

    const db = consoleDb(a.app.sdb.db);
    for (const c of clinics) {
      const rows = await db.selectFrom('console_orders').select(['id', 'status']).where('clinic_id', '=', c.clinicId).execute();
      expect(rows.map((r) => r.id).sort()).toEqual([...orderIds.get(c.clinicId)!].sort());
      for (const r of rows) expect(r.status).toBe(cancelledIds.includes(r.id) ? 'cancelled' : 'draft');
      const state = await db.selectFrom('console_projection').select('cursor').where('clinic_id', '=', c.clinicId).executeTakeFirstOrThrow();
      const head = await db.selectFrom('clinics').select('change_seq').where('id', '=', c.clinicId).executeTakeFirstOrThrow();
      expect(Number(state.cursor)).toBe(Number(head.change_seq));
    }
    const patients = await db.selectFrom('console_patients').select('id').execute();
    expect(patients.length).toBe(6 * desks.length);
  });
});
