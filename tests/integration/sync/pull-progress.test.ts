import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncActivity } from '../../../src-shared/api';
import { deviceAuthorization, PullPage } from '../../../src-shared/sync/protocol';
import { createPatient } from '../../../src-main/services/patients';
import {
  api, DB_KINDS, patientInput, type Desk, type RunningServer, type TestBackend, type TestClinic, startTwoDesks, stopTwoDesks,
} from './support/harness';

/**
 * A long first pull shows how far it has come (issue 5): each page answer names the clinic's
 * newest cursor, and the desk reports what it has pulled against it until it is caught up.
 */
describe.each(DB_KINDS)('pull progress (%s)', (kind) => {
  let backend: TestBackend;
  let server: RunningServer;
  let clinic: TestClinic;
  let a: Desk;
  let b: Desk;

  beforeEach(async () => {
    ({ backend, server, clinic, a, b } = await startTwoDesks(kind, { pullLimit: 4 }));
  });

  afterEach(() => stopTwoDesks({ backend, server, clinic, a, b }));

  it('reports increasing pulled against the head cursor over several pages, then idle', async () => {
    for (let i = 0; i < 15; i += 1) await createPatient(a.store, a.actor, patientInput());
    await a.engine.syncOnce();
    const head = a.engine.status().cursor;
    expect(head).toBeGreaterThan(15);

    // The wire: every page names the head, also to a desk that has not caught up.
    const authorization = deviceAuthorization(b.engine.identity().deviceId!, (await b.secrets.get('device.credential'))!);
    const raw = await api(server.url, 'GET', '/v1/sync/pull?cursor=0&limit=2', undefined, { authorization });
    expect(raw.status).toBe(200);
    expect(PullPage.parse(raw.body)).toMatchObject({ hasMore: true, nextCursor: 2, headCursor: head });

    const seen: SyncActivity[] = [];
    b.engine.on('status', (s) => seen.push(s.activity));
    await b.engine.syncOnce();

    const pulling = seen.filter((s) => s.phase === 'pulling');
    // Four changes a page: more than one page, each reported.
    expect(pulling.length).toBeGreaterThanOrEqual(Math.ceil(head / 4));
    for (let i = 1; i < pulling.length; i += 1) expect(pulling[i]!.pulled).toBeGreaterThan(pulling[i - 1]!.pulled);
    for (const p of pulling) {
      expect(p.startCursor).toBe(0);
      expect(p.pulled).toBe(p.cursor - p.startCursor);
    }
    // Once the first page has answered, the head is the clinic's newest cursor.
    for (const p of pulling.slice(1)) expect(p.headCursor).toBe(head);
    expect(pulling[pulling.length - 1]!.pulled).toBeLessThan(head);

    const done = b.engine.status();
    expect(done.cursor).toBe(head);
    expect(done.activity).toMatchObject({ phase: 'idle', pulled: 0, cursor: head, headCursor: head });
    expect(seen[seen.length - 1]!.phase).toBe('idle');
  });
});
