import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src-server/app';
import { createPatient } from '../../../src-main/services/patients';
import {
  ADMIN_TOKEN, createBackend, createClinic, DB_KINDS, enrolDesk, patientInput, recordedSeqs, reopenDesk, startServer, type Desk, type RunningServer, type TestBackend, type TestClinic,
} from './support/harness';
import { freePort, spawnServer, spawnTs, type Child } from './support/processes';

const COUNT = 25;

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function serverCounts(backend: TestBackend, clinicId: string) {
  const app = await buildServer(backend.options);
  try {
    const patients = await app.sdb.db.selectFrom('entities').select('id').where('clinic_id', '=', clinicId).where('entity', '=', 'patient').execute();
    const mutations = await recordedSeqs(app, { clinicId });
    return { patients: patients.length, mutations: mutations.length, applied: mutations.filter((m) => m.status === 'applied').length };
  } finally {
    await app.close();
  }
}

describe.each(DB_KINDS)('crashes lose nothing and duplicate nothing (%s)', (kind) => {
  let backend: TestBackend;
  let server: RunningServer | null = null;
  let child: Child | null = null;
  let desk: Desk | null = null;
  let clinic: TestClinic;

  beforeEach(async () => {
    backend = await createBackend(kind);
  });

  afterEach(async () => {
    await child?.kill();
    await desk?.close();
    await server?.close();
    await backend.dispose();
    child = null;
    desk = null;
    server = null;
  });

  it('a desk killed after sending a push, before reading the answer, resends it as a no-op after restart', async () => {
    const committed = deferred();
    const release = deferred();
    let first = true;
    server = await startServer(backend, {
      pushHooks: {
        beforeReply: async () => {
          if (!first) return;
          first = false;
          committed.resolve();
          await release.promise;
        },
      },
    });
    clinic = await createClinic(server.url);
    const enrolled = await enrolDesk(server.url, clinic, backend.dir, 'desk');
    const credential = (await enrolled.secrets.get('device.credential'))!;
    await enrolled.close();

    child = spawnTs('tests/integration/sync/support/desk-child.ts', {
      DESK_FILE: enrolled.file, SERVER_URL: server.url, DESK_ACTOR: JSON.stringify(enrolled.actor), DESK_CREDENTIAL: credential, COUNT: String(COUNT),
    });
    await child.waitFor('written');
    await committed.promise; // the server has committed the push and holds the answer
    await child.kill();
    release.resolve();
    expect(child.output()).not.toContain('synced');

    // Restart the desk on the same file: the outbox still holds every change as unanswered.
    desk = await reopenDesk(enrolled, server.url);
    expect(desk.engine.status().pending).toBe(COUNT);
    await desk.engine.syncOnce();
    expect(desk.engine.status()).toMatchObject({ pending: 0, rejected: 0 });
    const outbox = desk.store.sqlite.prepare(`SELECT status, count(*) AS n FROM outbox GROUP BY status`).all();
    expect(outbox).toEqual([{ status: 'applied', n: COUNT }]);
    const localPatients = desk.store.sqlite.prepare(`SELECT count(*) AS n FROM patients`).get() as { n: number };
    expect(localPatients.n).toBe(COUNT);

    const db = server.app.sdb.db;
    const patients = await db.selectFrom('entities').select('id').where('clinic_id', '=', clinic.clinicId).where('entity', '=', 'patient').execute();
    expect(patients).toHaveLength(COUNT);
    const recorded = await recordedSeqs(server.app, { clinicId: clinic.clinicId });
    expect(recorded.map((r) => r.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
  });

  for (const stallAt of ['before_commit', 'before_reply'] as const) {
    it(`a server killed mid-push (${stallAt.replace('_', ' ')}) and restarted loses nothing`, async () => {
      const port = await freePort();
      const env = { ...backend.env, PORT: String(port), KASSA_ADMIN_TOKEN: ADMIN_TOKEN };
      child = spawnServer({ ...env, KASSA_TEST_PUSH_STALL_MS: '600000', KASSA_TEST_PUSH_STALL_AT: stallAt });
      await child.waitFor('listening');
      const url = `http://127.0.0.1:${port}`;
      clinic = await createClinic(url);
      desk = await enrolDesk(url, clinic, backend.dir, 'desk', { batchSize: 10 });
      for (let i = 0; i < COUNT; i += 1) {
        const r = await createPatient(desk.store, desk.actor, patientInput());
        expect(r.ok).toBe(true);
      }
      const pushing = desk.engine.syncOnce().then(() => 'answered', (e: unknown) => e);
      await child.waitFor('push stalled');
      await child.kill();
      expect(await pushing).toBeInstanceOf(Error);
      expect(desk.engine.status()).toMatchObject({ pending: COUNT });

      child = spawnServer(env);
      await child.waitFor('listening');
      await desk.engine.syncOnce();
      expect(desk.engine.status()).toMatchObject({ pending: 0, rejected: 0, online: true });
      await child.kill();

      const counts = await serverCounts(backend, clinic.clinicId);
      expect(counts).toEqual({ patients: COUNT, mutations: COUNT, applied: COUNT });
    });
  }
});
