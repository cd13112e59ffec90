/**
 * A desk core in its own process, so a test can SIGKILL it at an exact moment. It writes COUNT
 * patients through the real services (row + outbox + activity in one transaction each), says
 * "written", then pushes. The parent kills it while the server holds the answer.
 */
import { openLocalStore } from '../../../../src-main/db/open';
import type { Actor } from '../../../../src-main/services/actor';
import { createPatient } from '../../../../src-main/services/patients';
import { SyncEngine } from '../../../../src-main/sync/engine';
import { patientInput } from './harness';

const env = process.env;
const store = await openLocalStore(env.DESK_FILE!);
const actor = JSON.parse(env.DESK_ACTOR!) as Actor;
const credential = env.DESK_CREDENTIAL!;
const engine = new SyncEngine({
  store,
  serverUrl: env.SERVER_URL!,
  secrets: { get: async () => credential, set: async () => {} },
  live: false,
});
for (let i = 0; i < Number(env.COUNT); i += 1) {
  const r = await createPatient(store, actor, patientInput());
  if (!r.ok) throw new Error(r.error.message);
}
process.stdout.write('written\n');
await engine.syncOnce();
process.stdout.write('synced\n');
await store.close();
