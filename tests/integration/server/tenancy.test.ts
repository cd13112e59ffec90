import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceAuthorization, type Change, type PullPage, type PushResponse } from '../../../src-shared/sync/protocol';
import {
  api, createBackend, createClinic, DB_KINDS, enrolmentCode, orderInput, patientInput, startServer, type RunningServer, type TestBackend, type TestClinic,
} from '../sync/support/harness';

interface Device {
  id: string;
  auth: Record<string, string>;
  seq: number;
}

describe.each(DB_KINDS)('clinic isolation (%s)', (kind) => {
  let backend: TestBackend;
  let server: RunningServer;
  let clinicA: TestClinic;
  let clinicB: TestClinic;
  let devA: Device;
  let devB: Device;

  const enrol = async (clinic: TestClinic): Promise<Device> => {
    const code = await enrolmentCode(server.url, clinic.clinicId);
    const r = await api<{ deviceId: string; deviceCredential: string }>(server.url, 'POST', '/v1/enrol', { code, deviceName: 'Desk' });
    return { id: r.body.deviceId, auth: { authorization: deviceAuthorization(r.body.deviceId, r.body.deviceCredential) }, seq: 0 };
  };
  const push = async (dev: Device, name: string, payload: unknown, actorUserId: string, overrides: Record<string, unknown> = {}) => {
    dev.seq += 1;
    const m = { mutationId: randomUUID(), deviceId: dev.id, seq: dev.seq, name, actorUserId, payload, clientTime: new Date().toISOString(), ...overrides };
    return api<PushResponse & { error?: string }>(server.url, 'POST', '/v1/sync/push', { mutations: [m] }, dev.auth);
  };
  const pullAll = async (dev: Device, cursor = 0): Promise<Change[]> => {
    const out: Change[] = [];
    for (;;) {
      const r = await api<PullPage>(server.url, 'GET', `/v1/sync/pull?cursor=${cursor}&limit=3`, undefined, dev.auth);
      expect(r.status).toBe(200);
      out.push(...r.body.changes);
      cursor = r.body.nextCursor;
      if (!r.body.hasMore) return out;
    }
  };

  beforeEach(async () => {
    backend = await createBackend(kind);
    server = await startServer(backend);
    clinicA = await createClinic(server.url, 'Klinik A');
    clinicB = await createClinic(server.url, 'Klinik B');
    devA = await enrol(clinicA);
    devB = await enrol(clinicB);
  });

  afterEach(async () => {
    await server?.close();
    await backend?.dispose();
  });

  it('a device of clinic A can neither read nor write clinic B, whatever it sends', async () => {
    const pb = patientInput();
    const ob = orderInput(pb.id);
    expect((await push(devB, 'patient.create', pb, clinicB.userId)).body.results[0]!.status).toBe('applied');
    expect((await push(devB, 'order.create', ob, clinicB.userId)).body.results[0]!.status).toBe('applied');
    const before = await server.app.sdb.db.selectFrom('entities').selectAll().where('clinic_id', '=', clinicB.clinicId).orderBy('id').execute();

    // Reading: A's feed holds only A's clinic, from any cursor, with any limit.
    const feedA = await pullAll(devA);
    const bIds = new Set([pb.id, ob.id, clinicB.userId, clinicB.clinicId, clinicB.priceItemId]);
    expect(feedA.length).toBeGreaterThan(0);
    for (const c of feedA) {
      expect(bIds.has(c.entityId)).toBe(false);
      if (c.data && 'clinicId' in c.data) expect(c.data.clinicId).toBe(clinicA.clinicId);
    }
    const feedB = await pullAll(devB);
    expect(feedB.some((c) => c.entityId === ob.id)).toBe(true);
    for (const extra of ['&clinicId=' + clinicB.clinicId, '&cursor=0&clinic=' + clinicB.clinicId]) {
      const r = await api<PullPage>(server.url, 'GET', `/v1/sync/pull?cursor=0${extra}`, undefined, devA.auth);
      expect(r.body.changes?.some((c) => bIds.has(c.entityId)) ?? false).toBe(false);
    }

    // Writing: every command aimed at B's entities is refused as unknown in A's clinic.
    const attempts: [string, unknown][] = [
      ['order.update_draft', { id: ob.id, patch: { note: 'hijack' } }],
      ['order.cancel', { orderId: ob.id, reason: 'other' }],
      ['order.credit', { orderId: ob.id, creditId: randomUUID(), amount: 100, reason: 'other' }],
      ['invoice.issue', { orderId: ob.id, invoiceId: randomUUID(), seriesId: 'S', invoiceNumber: 'X-000001', ocr: '1234', issueDate: '2026-01-01', dueDate: '2026-01-15', paymentOption: { kind: 'invoice14' } }],
      ['patient.update', { id: pb.id, patch: { firstName: 'Hijack' } }],
      ['order.create', orderInput(pb.id)],
    ];
    for (const [name, payload] of attempts) {
      const r = await push(devA, name, payload, clinicA.userId);
      expect(r.body.results[0], name).toMatchObject({ status: 'rejected', code: 'not_found' });
    }
    // Acting as B's user, posing as B's device, or re-using B's ids for new entities.
    expect((await push(devA, 'patient.create', patientInput(), clinicB.userId)).body.results[0]).toMatchObject({ status: 'rejected', code: 'unknown_actor' });
    const posing = await push(devA, 'patient.create', patientInput(), clinicA.userId, { deviceId: devB.id });
    expect(posing.status).toBe(403);
    devA.seq -= 1;
    const sameId = await push(devA, 'patient.create', { ...patientInput(), id: pb.id, personnummer: pb.personnummer }, clinicA.userId);
    expect(sameId.body.results[0]!.status).toBe('applied'); // a separate tenant: its own row

    const after = await server.app.sdb.db.selectFrom('entities').selectAll().where('clinic_id', '=', clinicB.clinicId).orderBy('id').execute();
    expect(after).toEqual(before);
    // And B still never sees A's patient with the same id.
    const feedB2 = await pullAll(devB);
    const bPatient = feedB2.filter((c) => c.entityId === pb.id);
    expect(bPatient.every((c) => c.data?.clinicId === clinicB.clinicId)).toBe(true);
  });
});
