import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { deviceAuthorization, type PushRequest } from '../../../src-shared/sync/protocol';
import { updateClinicSettings } from '../../../src-server/admin';
import { defaultRegistry } from '../../../src-server/commands';
import { groupCommitter } from '../../../src-server/sync/group-commit';
import { applyPush } from '../../../src-server/sync/push';
import { api, enrolmentCode, orderInput, patientInput } from './support/harness';
import { freshClinicServer } from './support/per-test';

/**
 * The SQLite write-behind pipeline (src-server/sync/write-behind.ts): the event loop computes a
 * group while the writer thread commits the one before. These pin what it must never break: a
 * group computed on top of one whose COMMIT failed must fail too and leave nothing, and feed writes
 * from outside the push path wait for the pipeline instead of racing it.
 */
describe('write-behind pipeline (sqlite)', () => {
  const t = freshClinicServer('sqlite');
  const registry = defaultRegistry();

  async function desk(name: string) {
    const code = await enrolmentCode(t.server.url, t.clinic.clinicId);
    const r = await api<{ deviceId: string; deviceCredential: string }>(t.server.url, 'POST', '/v1/enrol', { code, deviceName: name });
    return { id: r.body.deviceId, auth: { authorization: deviceAuthorization(r.body.deviceId, r.body.deviceCredential) } };
  }
  const mutation = (deviceId: string, seq: number, name: string, payload: unknown) => ({
    mutationId: randomUUID(), deviceId, seq, name, actorUserId: t.clinic.userId, payload, clientTime: new Date().toISOString(),
  });
  const push = (deviceId: string, body: PushRequest) => applyPush(t.server.app.sdb, { id: deviceId, clinicId: t.clinic.clinicId }, body, registry);
  const file = () => t.backend.options.sqliteFile!;
  const feed = (db: Database.Database) => ({
    head: Number(db.prepare(`select change_seq from clinics where id = ?`).pluck().get(t.clinic.clinicId)),
    cursors: db.prepare(`select cursor from changes where clinic_id = ? order by cursor`).pluck().all(t.clinic.clinicId) as number[],
    recorded: Number(db.prepare(`select coalesce(sum(last_seq - first_seq + 1), 0) from push_receipts`).pluck().get()),
    seqs: db.prepare(`select id, last_seq from devices order by id`).all() as { id: string; last_seq: number }[],
  });

  it('fails a group built on one whose COMMIT failed, lands nothing of either, and the resend applies', async () => {
    const [a, b] = [await desk('A'), await desk('B')];
    const poisoned = patientInput();
    const other = patientInput();
    const bodies = {
      a: { mutations: [mutation(a.id, 1, 'patient.create', poisoned), mutation(a.id, 2, 'order.create', orderInput(poisoned.id))] },
      b: { mutations: [mutation(b.id, 1, 'patient.create', other)] },
    };
    const side = new Database(file());
    side.pragma('busy_timeout = 5000');
    // A real failure inside the writer thread's transaction, at the poisoned patient's entity row.
    side.exec(`create trigger poison before insert on entities when new.id = '${poisoned.id}' begin select raise(abort, 'test: poisoned row'); end`);
    const before = feed(side);
    const committer = groupCommitter(t.server.app.sdb);
    const groups = committer.stats.groups;

    // Holding the write lock keeps both groups in flight: B's is computed on top of A's (its
    // cursors follow A's) before A's COMMIT is even tried.
    side.exec('begin immediate');
    const pa = push(a.id, bodies.a).then((v) => ({ ok: true as const, v }), (e: unknown) => ({ ok: false as const, e }));
    while (committer.stats.groups === groups) await new Promise((r) => setTimeout(r, 2));
    const pb = push(b.id, bodies.b).then((v) => ({ ok: true as const, v }), (e: unknown) => ({ ok: false as const, e }));
    while (committer.stats.groups === groups + 1) await new Promise((r) => setTimeout(r, 2));
    await new Promise((r) => setTimeout(r, 20));
    side.exec('commit');
    const [ra, rb] = [await pa, await pb];

    expect(ra.ok).toBe(false);
    expect(String(ra.ok ? '' : ra.e)).toContain('poisoned row');
    expect(rb.ok).toBe(false);
    expect(String(rb.ok ? '' : rb.e)).toContain('earlier');
    expect(feed(side)).toEqual(before);

    // The desks resend the same mutations: now both apply, and the feed continues without a hole.
    side.exec('drop trigger poison');
    const again = [await push(b.id, bodies.b), await push(a.id, bodies.a)];
    expect(again.flatMap((r) => r.results.map((x) => x.status))).toEqual(['applied', 'applied', 'applied']);
    const after = feed(side);
    expect(after.cursors).toEqual(Array.from({ length: after.head }, (_, i) => i + 1));
    expect(after.head).toBe(before.head + 3);
    expect(after.recorded).toBe(before.recorded + 3);
    side.close();
  });

  it('runs feed writes from outside the push path between groups, never beside one', async () => {
    const desks = await Promise.all(Array.from({ length: 4 }, (_, i) => desk(`D${i}`)));
    const side = new Database(file(), { readonly: true });
    const before = feed(side);
    const pushes = desks.flatMap((d) =>
      Array.from({ length: 5 }, (_, round) => {
        const p = patientInput();
        return { d, body: { mutations: [mutation(d.id, round * 2 + 1, 'patient.create', p), mutation(d.id, round * 2 + 2, 'order.create', orderInput(p.id))] } };
      }),
    );
    // Each desk pushes its rounds in order; settings changes (their own transactions on the
    // server's connection) are interleaved throughout.
    const settings = Array.from({ length: 10 }, (_, i) => new Promise((r) => setTimeout(r, i * 3)).then(() => updateClinicSettings(t.server.app.sdb, t.clinic.clinicId, { round: i })));
    const results = await Promise.all([
      ...desks.map(async (d) => {
        const out = [];
        for (const p of pushes.filter((x) => x.d === d)) out.push(await push(d.id, p.body));
        return out;
      }),
      Promise.all(settings),
    ]);
    const statuses = (results.slice(0, desks.length) as Awaited<ReturnType<typeof push>>[][]).flat().flatMap((r) => r.results.map((x) => x.status));
    expect(statuses).toEqual(Array(desks.length * 10).fill('applied'));
    const after = feed(side);
    expect(after.head).toBe(before.head + desks.length * 10 + settings.length);
    expect(after.cursors).toEqual(Array.from({ length: after.head }, (_, i) => i + 1));
    const clinicDoc = side.prepare(`select data from entity_docs where clinic_id = ? and entity = 'clinic'`).pluck().get(t.clinic.clinicId) as string;
    expect(JSON.parse(clinicDoc).settings).toEqual({ round: 9 });
    side.close();
  });
});
