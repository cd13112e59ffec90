import { afterEach, beforeEach } from 'vitest';
import { createBackend, createClinic, startServer, type DbKind, type RunningServer, type TestBackend, type TestClinic } from './harness';

/**
 * A fresh database, a server on it and a clinic for each test of the enclosing describe block,
 * torn down after it. (Apart from harness.ts, which the benchmarks import outside vitest.) Read the
 * fields inside the tests: they are set by the hooks.
 */
export function freshClinicServer(kind: DbKind): { readonly backend: TestBackend; readonly server: RunningServer; readonly clinic: TestClinic } {
  const t = {} as { backend: TestBackend; server: RunningServer; clinic: TestClinic };
  beforeEach(async () => {
    t.backend = await createBackend(kind);
    t.server = await startServer(t.backend);
    t.clinic = await createClinic(t.server.url);
  });
  afterEach(async () => {
    await t.server?.close();
    await t.backend?.dispose();
  });
  return t;
}
