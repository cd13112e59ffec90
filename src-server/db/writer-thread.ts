import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * A second SQLite connection, in a worker thread, that runs batches of prepared-statement writes,
 * each batch in ONE `BEGIN IMMEDIATE … COMMIT` (synchronous = FULL, so the COMMIT's fsync is this
 * thread's wait, not the event loop's). The push pipeline (sync/write-behind.ts) hands it the rows
 * of one group while the event loop already works on the next group.
 *
 * Batches run in the order they were sent. A batch that fails rolls back entirely, and every later
 * batch of the same or an older epoch is refused without running: they were computed on top of
 * the failed one. The sender starts a new epoch after a failure.
 *
 * The worker is plain JavaScript (eval) so it runs the same under tsx, vitest and a bundle; it is
 * handed the resolved path of better-sqlite3; statements arrive as text and are prepared once.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
db.pragma('wal_autocheckpoint = ' + workerData.walAutocheckpointPages);
const statements = new Map();
const statement = (text) => {
  let s = statements.get(text);
  if (!s) statements.set(text, (s = db.prepare(text)));
  return s;
};
const apply = db.transaction((steps) => {
  for (const step of steps) {
    const s = statement(step.statement);
    for (const params of step.rows) {
      const r = s.run(params);
      if (step.exactlyOne && r.changes !== 1) throw new Error('expected to change one row, changed ' + r.changes + ': ' + step.statement.slice(0, 60));
    }
  }
});
let failedEpoch = -1;
parentPort.on('message', (m) => {
  if (m.type === 'stop') {
    db.close();
    parentPort.postMessage({ type: 'stopped' });
    return;
  }
  if (m.epoch <= failedEpoch) {
    parentPort.postMessage({ type: 'done', id: m.id, error: 'not written: an earlier batch it builds on failed' });
    return;
  }
  try {
    if (m.steps.length > 0) apply.immediate(m.steps);
    parentPort.postMessage({ type: 'done', id: m.id });
  } catch (e) {
    failedEpoch = m.epoch;
    parentPort.postMessage({ type: 'done', id: m.id, error: String(e && e.message || e) });
  }
});
parentPort.postMessage({ type: 'ready' });
`;

/** One kind of write: a statement and its parameter lists, run in order. */
export interface WriteStep {
  /** SQL text with ? placeholders. */
  readonly statement: string;
  readonly rows: readonly (readonly unknown[])[];
  /** Each run must change exactly one row (guarded updates), or the batch fails. */
  readonly exactlyOne?: boolean;
}

export interface WriterThread {
  /** Runs the steps in one transaction; resolves after its COMMIT, rejects if nothing was written. */
  write(epoch: number, steps: readonly WriteStep[]): Promise<void>;
  stop(): Promise<void>;
}

export class WriteBatchFailed extends Error {}

/** `walAutocheckpointPages`: the same safety-net threshold as the server's own connection. */
export async function startWriterThread(file: string, walAutocheckpointPages: number, busyTimeoutMs = 30_000): Promise<WriterThread> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { file, driver, busyTimeoutMs, walAutocheckpointPages } });
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let dead: Error | null = null;
  const failAll = (e: Error) => {
    dead = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  worker.on('message', (m: { type: string; id?: number; error?: string }) => {
    if (m.type !== 'done' || m.id === undefined) return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (!p) return;
    if (m.error === undefined) p.resolve();
    else p.reject(new WriteBatchFailed(m.error));
  });
  worker.on('error', (e) => failAll(new WriteBatchFailed(`the writer thread failed: ${e.message}`)));
  worker.on('exit', () => failAll(new WriteBatchFailed('the writer thread has stopped')));
  return {
    write(epoch, steps) {
      if (dead) return Promise.reject(dead);
      const id = nextId++;
      return new Promise<void>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ type: 'write', id, epoch, steps });
      });
    },
    async stop() {
      if (dead) return;
      // Messages run in order: the stop comes after every batch already sent.
      const stopped = new Promise<void>((resolve) => {
        worker.on('message', (m: { type: string }) => m.type === 'stopped' && resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage({ type: 'stop' });
      await stopped;
      await worker.terminate();
    },
  };
}
