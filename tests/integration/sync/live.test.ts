import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPatient, getPatient } from '../../../src-main/services/patients';
import { createBackend, createClinic, DB_KINDS, enrolDesk, eventually, patientInput, startServer, type Desk, type RunningServer, type TestBackend, type TestClinic } from './support/harness';

/**
 * Server-sent events: desk B, listening on one server instance with polling effectively off,
 * learns of desk A's push through another instance (PostgreSQL: LISTEN/NOTIFY between
 * processes' pools; SQLite: one instance, in-process).
 */
describe.each(DB_KINDS)('a desk learns of changes without polling (%s)', (kind) => {
  let backend: TestBackend;
  let servers: RunningServer[] = [];
  let clinic: TestClinic;
  let a: Desk;
  let b: Desk;

  beforeEach(async () => {
    backend = await createBackend(kind);
    servers = [await startServer(backend)];
    if (kind === 'postgres') servers.push(await startServer(backend));
    clinic = await createClinic(servers[0]!.url);
    a = await enrolDesk(servers[0]!.url, clinic, backend.dir, 'desk-a');
    b = await enrolDesk(servers[servers.length - 1]!.url, clinic, backend.dir, 'desk-b', { live: true, pollMs: 3_600_000 });
  });

  afterEach(async () => {
    await a?.close();
    await b?.close();
    for (const s of servers) await s.close();
    await backend?.dispose();
  });

  it('pushes on A reach B through the event stream', async () => {
    b.engine.start();
    // The hello event on connect makes B pull the reference data once.
    await eventually(() => b.engine.status().cursor >= 3, 'B caught up after connecting');
    for (let i = 0; i < 3; i += 1) {
      const p = (await createPatient(a.store, a.actor, patientInput())) as { ok: true; value: { patient: { id: string } } };
      await a.engine.syncOnce();
      await eventually(async () => (await getPatient(b.store, b.actor, p.value.patient.id)) !== null, `patient ${i} on B`);
    }
    expect(b.engine.status()).toMatchObject({ online: true, pending: 0 });
  });
});
