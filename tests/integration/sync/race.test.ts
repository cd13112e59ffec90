import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceAuthorization, type PullPage, type PushResponse } from '../../../src-shared/sync/protocol';
import { api, createBackend, createClinic, enrolmentCode, patientInput, startServer, type RunningServer, type TestBackend, type TestClinic } from './support/harness';

const DEVICES = 10;
const BATCHES = 20;
const PER_BATCH = 5;
const PULLERS = 4;

/**
 * Invariant 4 on PostgreSQL: many desks push at once through two server instances while pullers
 * page through the feed. Each commit is held open for a random moment before COMMIT, so a writer
 * that took a later cursor would often commit first if cursors were not serialized per clinic. A
 * puller must see cursors strictly one after another: a jump would be a change it skipped forever.
 */
describe('concurrent pushers never make a puller skip a change (postgres)', () => {
  let backend: TestBackend;
  let servers: RunningServer[] = [];
  let clinic: TestClinic;

  beforeEach(async () => {
    backend = await createBackend('postgres');
    const jitter = { beforeCommit: () => new Promise<void>((r) => setTimeout(r, Math.random() * 4)) };
    servers = [await startServer(backend, { pushHooks: jitter }), await startServer(backend, { pushHooks: jitter })];
    clinic = await createClinic(servers[0]!.url);
  });

  afterEach(async () => {
    for (const s of servers) await s.close();
    await backend.dispose();
  });

  it('every puller sees every cursor, in order, with no gap', async () => {
    const devices = await Promise.all(
      Array.from({ length: DEVICES }, async () => {
        const code = await enrolmentCode(servers[0]!.url, clinic.clinicId);
        const r = await api<{ deviceId: string; deviceCredential: string }>(servers[0]!.url, 'POST', '/v1/enrol', { code, deviceName: 'Desk' });
        return { id: r.body.deviceId, auth: { authorization: deviceAuthorization(r.body.deviceId, r.body.deviceCredential) } };
      }),
    );
    const pullAuth = devices[0]!.auth;
    let pushing = true;

    const pushers = devices.map(async (d, di) => {
      let seq = 0;
      for (let b = 0; b < BATCHES; b += 1) {
        const mutations = Array.from({ length: PER_BATCH }, () => {
          seq += 1;
          return { mutationId: randomUUID(), deviceId: d.id, seq, name: 'patient.create', actorUserId: clinic.userId, payload: patientInput(), clientTime: new Date().toISOString() };
        });
        const r = await api<PushResponse>(servers[(di + b) % 2]!.url, 'POST', '/v1/sync/push', { mutations }, d.auth);
        expect(r.status).toBe(200);
        expect(r.body.results.every((x) => x.status === 'applied')).toBe(true);
      }
    });

    const gaps: string[] = [];
    const pullers = Array.from({ length: PULLERS }, async (_, pi) => {
      let cursor = 0;
      const seen: number[] = [];
      let round = 0;
      for (;;) {
        const wasPushing = pushing;
        const r = await api<PullPage>(servers[(pi + round++) % 2]!.url, 'GET', `/v1/sync/pull?cursor=${cursor}&limit=${3 + pi * 5}`, undefined, pullAuth);
        expect(r.status).toBe(200);
        for (const c of r.body.changes) {
          if (c.cursor !== cursor + 1) gaps.push(`puller ${pi}: after ${cursor} got ${c.cursor}`);
          cursor = c.cursor;
          seen.push(c.cursor);
        }
        expect(r.body.nextCursor).toBe(cursor);
        if (!wasPushing && !r.body.hasMore) return seen;
      }
    });

    try {
      await Promise.all(pushers);
    } finally {
      pushing = false;
    }
    const seenBy = await Promise.all(pullers);

    const total = await servers[0]!.app.sdb.db.selectFrom('changes').select((eb) => eb.fn.countAll<number>().as('n')).where('clinic_id', '=', clinic.clinicId).executeTakeFirstOrThrow();
    expect(gaps).toEqual([]);
    const patients = DEVICES * BATCHES * PER_BATCH;
    expect(Number(total.n)).toBe(patients + 3); // + clinic, user, price item
    for (const seen of seenBy) expect(seen).toEqual(Array.from({ length: Number(total.n) }, (_, i) => i + 1));
  });
});
