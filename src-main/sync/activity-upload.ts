import type Database from 'better-sqlite3';
import { MAX_ACTIVITY_PUSH } from '../../src-shared/schemas/activity';
import { activityRowToRecord } from '../db/activity-chain';
import type { ActivityTable } from '../db/tables/activity';
import { SyncHttpError, type SyncClient } from './client';

const ACKED = 'activity_acked_seq';
const REFUSED = 'activity_refused';

/** Where the upload of this desk's activity chain stands, for the sync status. */
export interface ActivityUploadState {
  /** Records of this desk's chain the server has not acknowledged yet. */
  readonly pending: number;
  /** The newest seq the server acknowledged. */
  readonly ackedSeq: number;
  /** The server's refusal of the chain (it does not continue what it stored), until an upload succeeds. */
  readonly refused: string | null;
}

/** The server refused the desk's chain (409): an altered or reordered record, never retried silently away. */
export class ActivityChainRefused extends Error {
  constructor(
    message: string,
    readonly field: string | null,
  ) {
    super(message);
    this.name = 'ActivityChainRefused';
  }
}

/**
 * Uploads this desk's hash-chained activity records (POST /v1/activity/push) in seq order, in
 * batches, from the seq the server last acknowledged. The acknowledgement is kept in sync_state and
 * marks the rows `synced` in one transaction, so a crash at any point resumes where the server is:
 * a batch whose answer was lost is sent again and the server skips what it already stored.
 */
export class ActivityUploader {
  private readonly st;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly client: SyncClient,
    private readonly batchSize = 500,
  ) {
    const p = (s: string) => sqlite.prepare(s);
    this.st = {
      get: p(`SELECT value FROM sync_state WHERE key = ?`),
      set: p(`INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
      clear: p(`DELETE FROM sync_state WHERE key = ?`),
      next: p(`SELECT * FROM activity WHERE chain_id = ? AND seq > ? ORDER BY seq LIMIT ?`),
      pending: p(`SELECT count(*) AS n FROM activity WHERE chain_id = ? AND seq > ?`),
      markSynced: p(`UPDATE activity SET synced = 1 WHERE chain_id = ? AND seq <= ? AND synced = 0`),
    };
  }

  private value(key: string): string | null {
    return (this.st.get.get(key) as { value: string } | undefined)?.value ?? null;
  }

  ackedSeq(): number {
    return Number(this.value(ACKED) ?? 0);
  }

  state(deviceId: string | null): ActivityUploadState {
    const acked = this.ackedSeq();
    const pending = deviceId ? (this.st.pending.get(deviceId, acked) as { n: number }).n : 0;
    return { pending, ackedSeq: acked, refused: this.value(REFUSED) };
  }

  /**
   * Sends everything not yet acknowledged. A 409 is recorded (it stays in the status until an
   * upload succeeds) and thrown as ActivityChainRefused; other failures are thrown as they are.
   */
  async upload(deviceId: string, onBatch: () => void = () => {}): Promise<void> {
    const size = Math.min(this.batchSize, MAX_ACTIVITY_PUSH);
    for (;;) {
      const acked = this.ackedSeq();
      const rows = this.st.next.all(deviceId, acked, size) as ActivityTable[];
      if (rows.length === 0) return;
      let ack;
      try {
        ack = await this.client.pushActivity({ records: rows.map(activityRowToRecord) });
      } catch (e) {
        if (e instanceof SyncHttpError && e.status === 409) {
          const message = `The server refused this desk's activity records: ${e.message}`;
          this.st.set.run(REFUSED, message);
          throw new ActivityChainRefused(message, e.body?.field ?? null);
        }
        throw e;
      }
      const last = rows[rows.length - 1]!.seq;
      this.sqlite.transaction(() => {
        this.st.markSynced.run(deviceId, Math.min(ack.lastSeq, last));
        this.st.set.run(ACKED, String(Math.max(acked, Math.min(ack.lastSeq, last))));
        this.st.clear.run(REFUSED);
      })();
      onBatch();
      // The server holds less than it was sent without refusing: never loop on the same batch.
      if (ack.lastSeq < last) throw new ActivityChainRefused(`The server acknowledged activity record ${ack.lastSeq}, not ${last}.`, null);
    }
  }
}
