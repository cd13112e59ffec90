import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deviceAuthorization, type PullPage, type PushResponse } from '../../../src-shared/sync/protocol';
import { api, DB_KINDS, enrolmentCode, patientInput } from './support/harness';
import { freshClinicServer } from './support/per-test';

/**
 * The push path writes its rows with its own statements (src-server/sync/feed-store.ts): on
 * PostgreSQL the documents travel once and the entity rows are filled from the changes just
 * inserted. Whatever the database, the feed must carry every change with its own document, and
 * the entity row must point at the newest one: its cursor (whose document `entity_docs` joins in)
 * and a version that counts the pushes that changed it.
 */
describe.each(DB_KINDS)('feed and entity rows written by a push (%s)', (kind) => {
  const t = freshClinicServer(kind);

  it('keeps every change in the feed and the newest in the entity row, across pushes', async () => {
    const r = await api<{ deviceId: string; deviceCredential: string }>(t.server.url, 'POST', '/v1/enrol', { code: await enrolmentCode(t.server.url, t.clinic.clinicId), deviceName: 'Desk' });
    const auth = { authorization: deviceAuthorization(r.body.deviceId, r.body.deviceCredential) };
    let seq = 0;
    const m = (name: string, payload: unknown) => ({ mutationId: randomUUID(), deviceId: r.body.deviceId, seq: ++seq, name, actorUserId: t.clinic.userId, payload, clientTime: new Date().toISOString() });
    const p = patientInput();
    const other = patientInput();
    // Quotes, backslashes, å/ä/ö and an emoji must survive the trip byte for byte.
    const tricky = 'Åsa "Lillan" Öberg \\ 🦷';
    const first = await api<PushResponse>(t.server.url, 'POST', '/v1/sync/push', {
      mutations: [
        m('patient.create', p),
        m('patient.update', { id: p.id, patch: { firstName: 'Ärla' } }),
        m('patient.create', other),
        m('patient.update', { id: p.id, patch: { lastName: tricky } }),
      ],
    }, auth);
    expect(first.status).toBe(200);
    expect(first.body.results.map((x) => x.status)).toEqual(['applied', 'applied', 'applied', 'applied']);

    const db = t.server.app.sdb.db;
    const row = async (id: string) => db.selectFrom('entity_docs').select(['data', 'version', 'cursor']).where('clinic_id', '=', t.clinic.clinicId).where('entity', '=', 'patient').where('id', '=', id).executeTakeFirstOrThrow();
    const feed = async () => {
      const page = await api<PullPage>(t.server.url, 'GET', '/v1/sync/pull?cursor=0&limit=500', undefined, auth);
      return page.body.changes.filter((c) => c.entity === 'patient');
    };

    let changes = await feed();
    const ofP = changes.filter((c) => c.entityId === p.id);
    expect(ofP.map((c) => [(c.data as { firstName: string }).firstName, (c.data as { lastName: string }).lastName])).toEqual([
      [p.firstName, p.lastName],
      ['Ärla', p.lastName],
      ['Ärla', tricky],
    ]);
    let stored = await row(p.id);
    expect(JSON.parse(stored.data)).toEqual(ofP[2]!.data);
    // Stored as V8 wrote it, on either database: no reformatting, no escapes added or removed.
    expect(stored.data).toBe(JSON.stringify(ofP[2]!.data));
    expect(stored.data).toContain(JSON.stringify(tricky));
    expect(Number(stored.cursor)).toBe(ofP[2]!.cursor);
    expect(Number(stored.version)).toBe(1);
    const otherRow = await row(other.id);
    expect(Number(otherRow.cursor)).toBe(changes.find((c) => c.entityId === other.id)!.cursor);

    // A later push updates the existing row: newer data and cursor, version + 1.
    const second = await api<PushResponse>(t.server.url, 'POST', '/v1/sync/push', { mutations: [m('patient.update', { id: p.id, patch: { phone: '+46701234567' } })] }, auth);
    expect(second.body.results.map((x) => x.status)).toEqual(['applied']);
    changes = await feed();
    const newest = changes.filter((c) => c.entityId === p.id).at(-1)!;
    stored = await row(p.id);
    expect(JSON.parse(stored.data)).toEqual(newest.data);
    expect(JSON.parse(stored.data)).toMatchObject({ firstName: 'Ärla', lastName: tricky, phone: '+46701234567' });
    expect(Number(stored.cursor)).toBe(newest.cursor);
    expect(Number(stored.version)).toBe(2);
  });
});
