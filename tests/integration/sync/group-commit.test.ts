import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deviceAuthorization, type PullPage, type PushRequest, type PushResponse } from '../../../src-shared/sync/protocol';
import { defaultRegistry } from '../../../src-server/commands';
import { groupCommitter } from '../../../src-server/sync/group-commit';
import { applyPush, PushRefused, type PushHooks } from '../../../src-server/sync/push';
import { api, DB_KINDS, enrolmentCode, orderInput, patientInput, recordedSeqs } from './support/harness';
import { freshClinicServer } from './support/per-test';

const DESKS = 6;

/**
 * Group commit: pushes that arrive while a group is running are applied together in the next
 * transaction (one COMMIT). The first push is held inside its transaction until every other push
 * has queued, so the rest must form one group; the group holds a push refused for a gap, a push
 * with an invalid mutation, the same push sent twice, and a push whose transaction work fails
 * after it wrote its effects. Each must get its own answer, none may leak into another, the feed
 * must have no hole, and replaying everything must change nothing.
 */
describe.each(DB_KINDS)('concurrent pushes share one commit (%s)', (kind) => {
  const t = freshClinicServer(kind);

  it('answers each push on its own, keeps a failing one out, leaves no feed hole, and a replay is a no-op', async () => {
    const desks = [];
    for (let i = 0; i < DESKS; i++) {
      const code = await enrolmentCode(t.server.url, t.clinic.clinicId);
      const r = await api<{ deviceId: string; deviceCredential: string }>(t.server.url, 'POST', '/v1/enrol', { code, deviceName: `Desk ${i}` });
      desks.push({ id: r.body.deviceId, auth: { authorization: deviceAuthorization(r.body.deviceId, r.body.deviceCredential) } });
    }
    const body = (d: { id: string }, firstSeq: number, n: number, bad = -1) => ({
      mutations: Array.from({ length: n }, (_, k) => {
        const p = patientInput();
        return {
          mutationId: randomUUID(), deviceId: d.id, seq: firstSeq + k, name: k % 2 ? 'order.create' : 'patient.create', actorUserId: t.clinic.userId,
          payload: k === bad ? { ...p, personnummer: 'not a personnummer' } : k % 2 ? orderInput(lastPatient!) : ((lastPatient = p.id), p), clientTime: new Date().toISOString(),
        };
      }),
    });
    let lastPatient: string | null = null;
    const [holder, plain, gap, invalid, twice, failing] = desks as [(typeof desks)[0], (typeof desks)[0], (typeof desks)[0], (typeof desks)[0], (typeof desks)[0], (typeof desks)[0]];
    const bodies = {
      holder: body(holder, 1, 4),
      plain: body(plain, 1, 6),
      gap: body(gap, 5, 2),
      invalid: body(invalid, 1, 4, 2),
      twice: body(twice, 1, 4),
      failing: body(failing, 1, 4),
    };
    const failingIds = new Set(bodies.failing.mutations.map((m) => m.mutationId));
    const committer = groupCommitter(t.server.app.sdb);
    const before = { ...committer.stats };
    const registry = defaultRegistry();
    // Called as the push route calls it (after authentication), so every push reaches the queue at
    // once; the HTTP path itself is covered by the other sync tests and the benchmark.
    type Answer = { status: number; body: Partial<PushResponse> & Pick<PushResponse, 'results'> & { error?: string; expectedSeq?: number } };
    const push = (b: PushRequest, d: { id: string }, hooks: PushHooks = {}): Promise<Answer> =>
      applyPush(t.server.app.sdb, { id: d.id, clinicId: t.clinic.clinicId }, b, registry, hooks).then(
        (body) => ({ status: 200, body }),
        (e: unknown) => (e instanceof PushRefused ? { status: e.status, body: { results: [], error: e.code, ...e.extra } } : { status: 500, body: { results: [], error: String(e) } }),
      );

    // The holder's group stalls before COMMIT; everything else queues behind it.
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const holderDone = push(bodies.holder, holder, { beforeCommit: () => gate });
    while (committer.stats.jobs === before.jobs) await new Promise((r) => setTimeout(r, 5));
    const others = [
      push(bodies.plain, plain),
      push(bodies.gap, gap),
      push(bodies.invalid, invalid),
      push(bodies.twice, twice),
      push(bodies.twice, twice),
      // Fails in its last step, after its effects, cursors and (device, seq) records were written.
      push(bodies.failing, failing, { beforeCommit: async () => Promise.reject(new Error('test: this push fails after writing its effects')) }),
    ];
    expect(committer.queued).toBe(others.length);
    release();
    const [h, p, g, inv, t1, t2, f] = [await holderDone, ...(await Promise.all(others))];

    // Two groups: the holder alone, then all six others together.
    expect(committer.stats.groups - before.groups).toBe(2);
    expect(committer.stats.jobs - before.jobs).toBe(7);
    expect(committer.stats.largestGroup).toBeGreaterThanOrEqual(6);

    expect(h!.status).toBe(200);
    expect(h!.body.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(p!.status).toBe(200);
    expect(p!.body.results.map((r) => r.status)).toEqual(Array(6).fill('applied'));
    expect(p!.body.results.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(g!.status).toBe(409);
    expect(g!.body.error).toBe('sequence_gap');
    expect(g!.body.expectedSeq).toBe(1);
    expect(inv!.status).toBe(200);
    expect(inv!.body.results.map((r) => r.status)).toEqual(['applied', 'applied', 'rejected', 'applied']);
    expect(inv!.body.results[2]).toMatchObject({ code: 'invalid_payload' });
    // The same push twice in one group: the first applies it, the second sees it recorded.
    const twiceStatuses = [t1!, t2!].map((r) => r.body.results.map((x) => x.status));
    expect(twiceStatuses).toContainEqual(Array(4).fill('applied'));
    expect(twiceStatuses).toContainEqual(Array(4).fill('duplicate'));
    expect(f!.status).toBe(500);
    expect(f!.body.error).toContain('test: this push fails');

    // The failing push left nothing: no records, no entities, no changes, and its desk's seq is unused.
    const db = t.server.app.sdb.db;
    const failingDevice = await db.selectFrom('devices').select('last_seq').where('id', '=', failing.id).executeTakeFirstOrThrow();
    expect(Number(failingDevice.last_seq)).toBe(0);
    expect(await recordedSeqs(t.server.app, { deviceId: failing.id })).toEqual([]);
    expect(await db.selectFrom('changes').select('cursor').where('mutation_id', 'in', [...failingIds]).execute()).toEqual([]);
    expect(await recordedSeqs(t.server.app, { deviceId: gap.id })).toEqual([]);

    // The feed has every cursor once, in order, with no hole left by the rolled-back push.
    const pulled: number[] = [];
    let cursor = 0;
    for (;;) {
      const page = await api<PullPage>(t.server.url, 'GET', `/v1/sync/pull?cursor=${cursor}&limit=500`, undefined, holder.auth);
      pulled.push(...page.body.changes.map((c) => c.cursor));
      cursor = page.body.nextCursor;
      if (!page.body.hasMore) break;
    }
    const clinicRow = await db.selectFrom('clinics').select('change_seq').where('id', '=', t.clinic.clinicId).executeTakeFirstOrThrow();
    expect(pulled).toEqual(Array.from({ length: Number(clinicRow.change_seq) }, (_, i) => i + 1));
    // 4 + 6 + 3 + 4 applied mutations each wrote one change (patients and orders).
    const applied = await db.selectFrom('changes').select('mutation_id').where('clinic_id', '=', t.clinic.clinicId).where('mutation_id', 'is not', null).execute();
    expect(applied.length).toBe(17);

    // The failing desk pushes again and is applied now.
    const http = (b: unknown, d: { auth: Record<string, string> }) => api<PushResponse>(t.server.url, 'POST', '/v1/sync/push', b, d.auth);
    const again = await http(bodies.failing, failing);
    expect(again.status).toBe(200);
    expect(again.body.results.map((r) => r.status)).toEqual(Array(4).fill('applied'));

    // Replaying everything at once over HTTP is a no-op: duplicates with the original outcome, no new change.
    const seqBefore = Number((await db.selectFrom('clinics').select('change_seq').where('id', '=', t.clinic.clinicId).executeTakeFirstOrThrow()).change_seq);
    const replay = await Promise.all([http(bodies.holder, holder), http(bodies.plain, plain), http(bodies.invalid, invalid), http(bodies.twice, twice), http(bodies.failing, failing)]);
    for (const r of replay) {
      expect(r.status).toBe(200);
      expect(r.body.results.every((x) => x.status === 'duplicate')).toBe(true);
    }
    expect(replay[2]!.body.results.map((r) => (r.status === 'duplicate' ? r.original : r.status))).toEqual(['applied', 'applied', 'rejected', 'applied']);
    const seqAfter = Number((await db.selectFrom('clinics').select('change_seq').where('id', '=', t.clinic.clinicId).executeTakeFirstOrThrow()).change_seq);
    expect(seqAfter).toBe(seqBefore);
  });
});
