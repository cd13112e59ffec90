import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceAuthorization, PROTOCOL_HEADER } from '../../../src-shared/sync/protocol';
import { groupCommitter } from '../../../src-server/sync/group-commit';
import { api, createBackend, createClinic, DB_KINDS, enrolmentCode, orderInput, patientInput, recordedSeqs, serverEntities, startServer, type RunningServer, type TestBackend, type TestClinic } from '../sync/support/harness';

type Json = { error?: string; message?: string; field?: string; expectedSeq?: number; results?: { status: string; code?: string; field?: string; original?: string }[]; lastSeq?: number };

describe.each(DB_KINDS)('malformed, oversized and hostile input (%s)', (kind) => {
  let backend: TestBackend;
  let server: RunningServer;
  let clinic: TestClinic;
  let auth: Record<string, string>;
  let deviceId: string;

  beforeEach(async () => {
    backend = await createBackend(kind);
    server = await startServer(backend);
    clinic = await createClinic(server.url);
    const code = await enrolmentCode(server.url, clinic.clinicId);
    const r = await api<{ deviceId: string; deviceCredential: string }>(server.url, 'POST', '/v1/enrol', { code, deviceName: 'Desk' });
    deviceId = r.body.deviceId;
    auth = { authorization: deviceAuthorization(r.body.deviceId, r.body.deviceCredential) };
  });

  afterEach(async () => {
    await server?.close();
    await backend?.dispose();
  });

  const envelope = (seq: number, name = 'patient.create', payload: unknown = patientInput()) => ({
    mutationId: randomUUID(), deviceId, seq, name, actorUserId: clinic.userId, payload, clientTime: new Date().toISOString(),
  });
  const push = (body: unknown, headers: Record<string, string> = {}) => api<Json>(server.url, 'POST', '/v1/sync/push', body, { ...auth, ...headers });
  const raw = async (path: string, body: string | Uint8Array, headers: Record<string, string>) => {
    const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { [PROTOCOL_HEADER]: '1', ...auth, ...headers }, body });
    return { status: res.status, body: (await res.json().catch(() => null)) as Json | null };
  };

  it('answers every bad request with a 4xx that says what is wrong, and stays up', async () => {
    const cases: { what: string; run: () => Promise<{ status: number; body: Json | null }>; status: number; message: RegExp }[] = [
      { what: 'broken JSON', run: () => raw('/v1/sync/push', '{"mutations": [', { 'content-type': 'application/json' }), status: 400, message: /not valid JSON/ },
      { what: 'not JSON at all', run: () => raw('/v1/sync/push', 'mutations=1', { 'content-type': 'text/plain' }), status: 415, message: /JSON/ },
      { what: 'prototype pollution', run: () => raw('/v1/sync/push', '{"__proto__": {"admin": true}, "mutations": []}', { 'content-type': 'application/json' }), status: 400, message: /JSON|prototype/i },
      { what: 'oversized push', run: () => raw('/v1/sync/push', JSON.stringify({ mutations: [envelope(1, 'patient.create', { pad: 'x'.repeat(5 * 1024 * 1024) })] }), { 'content-type': 'application/json' }), status: 413, message: /too large/ },
      { what: 'oversized enrol', run: () => raw('/v1/enrol', JSON.stringify({ code: 'x'.repeat(100_000), deviceName: 'x' }), { 'content-type': 'application/json' }), status: 413, message: /too large/ },
      { what: 'deep nesting', run: () => raw('/v1/sync/push', '['.repeat(20_000) + ']'.repeat(20_000), { 'content-type': 'application/json' }), status: 400, message: /./ },
      { what: 'empty batch', run: () => push({ mutations: [] }), status: 400, message: /body\.mutations: must hold at least one mutation/ },
      { what: 'wrong types', run: () => push({ mutations: [{ ...envelope(1), seq: 'one' }] }), status: 400, message: /body\.mutations\.0\.seq/ },
      { what: 'not a uuid', run: () => push({ mutations: [{ ...envelope(1), mutationId: 'x' }] }), status: 400, message: /body\.mutations\.0\.mutationId/ },
      { what: 'too many mutations', run: () => push({ mutations: Array.from({ length: 501 }, (_, i) => envelope(i + 1)) }), status: 400, message: /at most 500/ },
      { what: 'holes inside a batch', run: () => push({ mutations: [envelope(1), envelope(3)] }), status: 400, message: /consecutive/ },
      { what: "another device's mutations", run: () => push({ mutations: [{ ...envelope(1), deviceId: randomUUID() }] }), status: 403, message: /its own mutations/ },
      { what: 'bad pull limit', run: () => api<Json>(server.url, 'GET', '/v1/sync/pull?cursor=0&limit=abc', undefined, auth), status: 400, message: /query\.limit/ },
      { what: 'negative cursor', run: () => api<Json>(server.url, 'GET', '/v1/sync/pull?cursor=-5', undefined, auth), status: 400, message: /query\.cursor/ },
      { what: 'huge cursor', run: () => api<Json>(server.url, 'GET', '/v1/sync/pull?cursor=1e400', undefined, auth), status: 400, message: /query\.cursor/ },
      { what: 'no protocol header', run: () => raw('/v1/sync/push', '{}', { 'content-type': 'application/json', [PROTOCOL_HEADER]: '' }), status: 400, message: /protocol/ },
      { what: 'too old a desk', run: () => push({ mutations: [envelope(1)] }, { [PROTOCOL_HEADER]: '0' }), status: 426, message: /too old.*Update Kassa/ },
      { what: 'too new a desk', run: () => push({ mutations: [envelope(1)] }, { [PROTOCOL_HEADER]: '99' }), status: 400, message: /newer than the sync server/ },
      { what: 'unknown route', run: () => api<Json>(server.url, 'GET', '/v1/sync/../../etc/passwd', undefined, auth), status: 404, message: /There is no/ },
      { what: 'bad enrol body', run: () => api<Json>(server.url, 'POST', '/v1/enrol', { code: 12 }), status: 400, message: /body\.code/ },
    ];
    for (const c of cases) {
      const r = await c.run();
      expect(r.status, c.what).toBe(c.status);
      expect(r.body?.message ?? '', c.what).toMatch(c.message);
    }
    const health = await api<{ status: string; database: string }>(server.url, 'GET', '/health');
    expect(health.body).toEqual({ status: 'ok', database: kind, protocol: 1 });
  });

  it('rejects a bad command per mutation with a code and the field, and keeps going', async () => {
    const r = await push({
      mutations: [
        envelope(1, 'patient.create', { ...patientInput(), personnummer: '19900101-0000' }),
        envelope(2, 'no.such_command', {}),
        envelope(3, 'patient.create', { ...patientInput(), firstName: 'x'.repeat(500) }),
        { ...envelope(4), actorUserId: randomUUID() },
        envelope(5),
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.results!.map((x) => [x.status, x.code ?? null])).toEqual([
      ['rejected', 'invalid_payload'], ['rejected', 'unknown_command'], ['rejected', 'invalid_payload'], ['rejected', 'unknown_actor'], ['applied', null],
    ]);
    expect(r.body.results![0]!.field).toBe('personnummer');
    expect(r.body.results![2]!.field).toBe('firstName');
    expect(r.body.lastSeq).toBe(5);
  });

  it('treats a replayed push as a no-op and refuses a gap in the sequence', async () => {
    const batch = { mutations: [envelope(1), envelope(2)] };
    expect((await push(batch)).body.results!.map((x) => x.status)).toEqual(['applied', 'applied']);
    const replay = await push(batch);
    expect(replay.body.results!.map((x) => [x.status, x.original])).toEqual([['duplicate', 'applied'], ['duplicate', 'applied']]);
    const patients = await server.app.sdb.db.selectFrom('entities').select('id').where('entity', '=', 'patient').execute();
    expect(patients).toHaveLength(2);

    const gap = await push({ mutations: [envelope(4)] });
    expect(gap.status).toBe(409);
    expect(gap.body).toMatchObject({ error: 'sequence_gap', expectedSeq: 3 });
    expect(gap.body.message).toMatch(/next must be 3, not 4/);
    // Same seq, different mutation: not silently treated as a duplicate.
    const reused = await push({ mutations: [envelope(2), envelope(3)] });
    expect(reused.body.results!.map((x) => [x.status, x.code ?? null])).toEqual([['rejected', 'sequence_reused'], ['applied', null]]);
  });

  it('answers a resend that spans several earlier pushes with each seq as it was first answered', async () => {
    const m = [envelope(1), envelope(2, 'patient.create', { ...patientInput(), personnummer: '19900101-0000' }), envelope(3), envelope(4, 'no.such_command', {}), envelope(5)];
    await push({ mutations: m.slice(0, 3) });
    await push({ mutations: m.slice(3, 5) });
    // A desk that lost both answers resends from seq 2, with two mutations it made since.
    const resend = await push({ mutations: [...m.slice(1), envelope(6), envelope(7)] });
    expect(resend.body.results!.map((x) => [x.status, x.original ?? null, x.code ?? null, x.field ?? null])).toEqual([
      ['duplicate', 'rejected', 'invalid_payload', 'personnummer'], ['duplicate', 'applied', null, null], ['duplicate', 'rejected', 'unknown_command', null],
      ['duplicate', 'applied', null, null], ['applied', null, null, null], ['applied', null, null, null],
    ]);
    expect(resend.body.lastSeq).toBe(7);
    const patients = await server.app.sdb.db.selectFrom('entities').select('id').where('entity', '=', 'patient').execute();
    expect(patients).toHaveLength(5);
    expect(await recordedSeqs(server.app, { deviceId })).toEqual([1, 2, 3, 4, 5, 6, 7].map((seq) => ({ deviceId, seq, status: [2, 4].includes(seq) ? 'rejected' : 'applied' })));
  });

  it('finds the receipts of a resend at the end of a long history, one push per mutation', async () => {
    const sent = Array.from({ length: 40 }, (_, i) => envelope(i + 1));
    for (const e of sent) expect((await push({ mutations: [e] })).body.results![0]!.status).toBe('applied');
    const resend = await push({ mutations: sent.slice(36) });
    expect(resend.body.results!.map((x) => [x.status, x.original])).toEqual(Array(4).fill(['duplicate', 'applied']));
    // The oldest seqs too, and a seq resent with another mutation's id is not taken for it.
    const oldest = await push({ mutations: [sent[0]!, { ...sent[1]!, mutationId: randomUUID() }] });
    expect(oldest.body.results!.map((x) => [x.status, x.code ?? null])).toEqual([['duplicate', null], ['rejected', 'sequence_reused']]);
  });

  it('refuses ids and numbers that are taken, as mutations of their own, and applies the rest of the push', async () => {
    // On PostgreSQL new ids and keys are not read but left to the inserts to check (ClinicWriter):
    // every one of these conflicts makes its push run again, reading, for the same answers.
    const committer = groupCommitter(server.app.sdb);
    const rerun = committer.stats.rerun;
    const patient = patientInput();
    const order = orderInput(patient.id);
    expect((await push({ mutations: [envelope(1, 'patient.create', patient), envelope(2, 'order.create', order)] })).body.results!.map((x) => x.status)).toEqual(['applied', 'applied']);

    const fresh = patientInput();
    const r = await push({
      mutations: [
        envelope(3, 'patient.create', { ...patientInput(patient.id), firstName: 'Duplicate' }),
        envelope(4, 'patient.create', { ...patientInput(), personnummer: patient.personnummer }),
        envelope(5, 'order.create', { ...orderInput(patient.id), orderNumber: order.orderNumber }),
        envelope(6, 'patient.create', fresh),
        envelope(7, 'order.create', orderInput(fresh.id)),
      ],
    });
    expect(r.body.results!.map((x) => [x.status, x.code ?? null, x.field ?? null])).toEqual([
      ['rejected', 'already_exists', 'id'], ['rejected', 'already_exists', 'personnummer'], ['rejected', 'already_exists', 'orderNumber'],
      ['applied', null, null], ['applied', null, null],
    ]);
    // A taken id whose command was refused for another reason first (no such patient) is still
    // answered for the id: nothing would have inserted it, so it is read before COMMIT.
    const alone = await push({ mutations: [envelope(8, 'order.create', orderInput(randomUUID(), null, order.id))] });
    expect(alone.body.results!.map((x) => [x.status, x.code ?? null, x.field ?? null])).toEqual([['rejected', 'already_exists', 'id']]);

    const docs = async (entity: string) => (await serverEntities(server.app, clinic.clinicId, entity)).map((e) => JSON.parse(e.data) as { id: string; firstName?: string });
    expect((await docs('patient')).map((p) => [p.id, p.firstName]).sort()).toEqual([[patient.id, 'Sven'], [fresh.id, 'Sven']].sort());
    expect(await docs('order')).toHaveLength(2);
    expect(committer.stats.rerun - rerun).toBe(kind === 'postgres' ? 2 : 0);
  });
});
