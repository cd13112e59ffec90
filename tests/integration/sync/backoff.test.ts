import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPatient } from '../../../src-main/services/patients';
import { fullJitterDelay, type SyncStatus } from '../../../src-main/sync/engine';
import { createBackend, createClinic, DB_KINDS, enrolDesk, eventually, patientInput, serverEntities, startServer, type Desk, type RunningServer, type TestBackend, type TestClinic } from './support/harness';

describe('full-jitter backoff', () => {
  it('waits uniformly below an exponentially growing cap, never above the maximum', () => {
    expect(fullJitterDelay(1, 500, 60_000, () => 0.999)).toBe(999);
    expect(fullJitterDelay(4, 500, 60_000, () => 0.5)).toBe(4000);
    expect(fullJitterDelay(40, 500, 60_000, () => 0.999)).toBe(59_940);
    expect(fullJitterDelay(3, 500, 60_000, () => 0)).toBe(0);
  });
});

describe.each(DB_KINDS)('the running sync loop rides out an outage (%s)', (kind) => {
  let backend: TestBackend;
  let server: RunningServer | null;
  let clinic: TestClinic;
  let desk: Desk;

  beforeEach(async () => {
    backend = await createBackend(kind);
    server = await startServer(backend);
    clinic = await createClinic(server.url);
    desk = await enrolDesk(server.url, clinic, backend.dir, 'desk', { backoffBaseMs: 20, backoffMaxMs: 200, pollMs: 3_600_000 });
  });

  afterEach(async () => {
    await desk?.close();
    await server?.close();
    await backend?.dispose();
  });

  it('keeps retrying while the server is down, reports it, and drains the outbox once it is back', async () => {
    const port = server!.port;
    await server!.close();
    server = null;
    const seen: SyncStatus[] = [];
    desk.engine.on('status', (s) => seen.push(s));
    desk.engine.start();
    for (let i = 0; i < 5; i++) {
      expect((await createPatient(desk.store, desk.actor, patientInput())).ok).toBe(true);
      desk.engine.requestSync();
    }
    await eventually(() => seen.filter((s) => !s.online && s.lastError !== null).length >= 3, 'several failed attempts');
    expect(desk.engine.status()).toMatchObject({ online: false, pending: 5 });
    expect(desk.engine.status().lastError).toMatch(/cannot be reached/);

    server = await startServer(backend, {}, port);
    // No manual sync: the loop's next backoff attempt finds the server.
    await eventually(() => desk.engine.status().pending === 0 && desk.engine.status().online, 'outbox drained after the outage');
    expect(desk.engine.status()).toMatchObject({ rejected: 0, lastError: null });
    expect(desk.engine.status().lastSuccessAt).not.toBeNull();
    expect(await serverEntities(server.app, clinic.clinicId, 'patient')).toHaveLength(5);
  });
});
