import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoints the SQLite WAL from a worker thread. By default SQLite checkpoints inside the COMMIT
 * that crosses wal_autocheckpoint: on the sync server that is the event loop's thread, which then
 * copies pages into the database file and fsyncs it while every request waits. Measured with the
 * push path's rows, checkpoints were about half of the time spent in COMMIT. A PASSIVE checkpoint
 * from another connection never takes the write lock, so it runs beside the writer; the server's
 * own connection keeps a high wal_autocheckpoint only as a safety net should this thread fall
 * behind or die.
 *
 * The worker is plain JavaScript (eval) so it runs the same under tsx, vitest and a bundle; it is
 * handed the resolved path of better-sqlite3.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next round tries again */ }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage('stopped');
});
parentPort.postMessage('ready');
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export async function startCheckpointer(file: string, intervalMs = 100): Promise<Checkpointer> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { file, driver, intervalMs } });
  // Never keeps the process alive on its own; a crash of the thread leaves the safety net.
  worker.unref();
  worker.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  return {
    async stop() {
      const stopped = new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
}
