import { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import type { SyncActivity } from '../../src-shared/api';
import { deviceAuthorization, DEFAULT_PULL_LIMIT, MAX_PUSH_BATCH, type MutationEnvelope, type MutationResult, type SyncEvent } from '../../src-shared/sync/protocol';
import type { LocalStore } from '../db/open';
import { ActivityChainRefused, ActivityUploader, type ActivityUploadState } from './activity-upload';
import { ChangeApplier } from './apply';
import { requestEnrolment, SyncClient, SyncHttpError } from './client';
import { localMoneyEventId, touchedEntities } from './touched';

/** The keychain as the sync engine needs it (src-main/secrets SecretStore satisfies it). */
export interface DeviceSecrets {
  get(name: 'device.credential'): Promise<string | null>;
  set(name: 'device.credential', value: string): Promise<void>;
}

export interface SyncStatus {
  /** The last contact with the server succeeded. */
  readonly online: boolean;
  readonly enrolled: boolean;
  /** Local changes the server has not answered yet. */
  readonly pending: number;
  /** Changes the server refused and a person has not resolved yet. */
  readonly rejected: number;
  readonly lastSuccessAt: string | null;
  /** The last error, written for a person (e.g. "The sync server cannot be reached"). */
  readonly lastError: string | null;
  readonly cursor: number;
  /** What the engine is doing now, so a long first pull can show how far it has come. */
  readonly activity: SyncActivity;
  /** The upload of this desk's activity chain (after the pushes of every round). */
  readonly activityUpload: ActivityUploadState;
}

export interface RejectedMutation {
  readonly seq: number;
  readonly mutationId: string;
  readonly name: string;
  readonly payload: unknown;
  readonly code: string;
  readonly reason: string;
  readonly field: string | null;
  readonly createdAt: string;
}

export interface SyncEngineOptions {
  readonly store: LocalStore;
  readonly serverUrl: string;
  readonly secrets: DeviceSecrets;
  readonly batchSize?: number;
  /** Activity records per upload request (the server takes at most 1000). */
  readonly activityBatchSize?: number;
  readonly pullLimit?: number;
  /** Exponential backoff with full jitter: a wait is uniform in [0, min(max, base·2^failures)]. */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** Fallback poll when no event arrives (SSE is the normal trigger). */
  readonly pollMs?: number;
  /** Listen to server-sent events (default true). */
  readonly live?: boolean;
}

interface OutboxRow {
  seq: number;
  mutation_id: string;
  name: string;
  payload: string;
  created_at: string;
  actor_user_id: string | null;
}

const STATE_DEVICE = 'device_id';
/** The server accepts 4 MiB per push; a batch is cut at 1 MiB of payload. */
const MAX_PUSH_BYTES = 1024 * 1024;
const STATE_CLINIC = 'clinic_id';

export function fullJitterDelay(failures: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** Math.min(failures, 30)));
}

/**
 * The desk's sync core: pushes the outbox in seq order, pulls the clinic's change feed page by
 * page, listens to server events, and reports a status the UI can show. Everything it needs to
 * resume lives in the local SQLite file (outbox, cursor, server copies), so a crash at any point
 * loses nothing: an unanswered push is simply sent again and the server answers `duplicate`.
 */
export class SyncEngine extends EventEmitter<{ status: [SyncStatus] }> {
  private readonly sqlite: Database.Database;
  private readonly applier: ChangeApplier;
  private readonly client: SyncClient;
  private readonly uploader: ActivityUploader;
  private running = false;
  private loopDone: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private wakeRequested = false;
  private liveAbort: AbortController | null = null;
  private liveDone: Promise<void> | null = null;
  private failures = 0;
  private state: { online: boolean; lastSuccessAt: string | null; lastError: string | null } = { online: false, lastSuccessAt: null, lastError: null };
  private serverCursor = 0;
  private syncing: Promise<void> | null = null;
  private activity: SyncActivity | null = null;

  constructor(private readonly opts: SyncEngineOptions) {
    super();
    this.sqlite = opts.store.sqlite;
    this.applier = new ChangeApplier(this.sqlite);
    this.client = new SyncClient(opts.serverUrl.replace(/\/$/, ''), async () => {
      const { deviceId } = this.identity();
      const credential = await opts.secrets.get('device.credential');
      if (!deviceId || !credential) throw new SyncHttpError(401, 'not_enrolled', 'This desk is not enrolled with a sync server yet.');
      return deviceAuthorization(deviceId, credential);
    });
    this.uploader = new ActivityUploader(this.sqlite, this.client, opts.activityBatchSize);
  }

  /** Enrols this desk with a one-time code; the credential goes to the keychain only. */
  async enrol(code: string, deviceName: string): Promise<{ deviceId: string; clinicId: string }> {
    const r = await requestEnrolment(this.opts.serverUrl.replace(/\/$/, ''), code, deviceName);
    await this.opts.secrets.set('device.credential', r.deviceCredential);
    const set = this.sqlite.prepare(`INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
    this.sqlite.transaction(() => {
      set.run(STATE_DEVICE, r.deviceId);
      set.run(STATE_CLINIC, r.clinicId);
    })();
    this.emitStatus();
    return { deviceId: r.deviceId, clinicId: r.clinicId };
  }

  identity(): { deviceId: string | null; clinicId: string | null } {
    const get = (k: string) => (this.sqlite.prepare(`SELECT value FROM sync_state WHERE key = ?`).get(k) as { value: string } | undefined)?.value ?? null;
    return { deviceId: get(STATE_DEVICE), clinicId: get(STATE_CLINIC) };
  }

  status(): SyncStatus {
    const counts = this.sqlite.prepare(`SELECT status, count(*) AS n FROM outbox WHERE status IN ('pending','in_flight','rejected') GROUP BY status`).all() as { status: string; n: number }[];
    const n = (s: string) => counts.find((c) => c.status === s)?.n ?? 0;
    return {
      ...this.state,
      enrolled: this.identity().deviceId !== null,
      pending: n('pending') + n('in_flight'),
      rejected: n('rejected'),
      cursor: this.applier.cursor(),
      activity: this.activity ?? this.idle(),
      activityUpload: this.uploader.state(this.identity().deviceId),
    };
  }

  private idle(): SyncActivity {
    const cursor = this.applier.cursor();
    return { phase: 'idle', pulled: 0, startCursor: cursor, cursor, headCursor: this.serverCursor > 0 ? Math.max(this.serverCursor, cursor) : null };
  }

  private emitStatus(): void {
    this.emit('status', this.status());
  }

  /** Rejected mutations a person must fix or discard, with the server's reason (invariant 3). */
  rejectedMutations(): RejectedMutation[] {
    const rows = this.sqlite
      .prepare(`SELECT seq, mutation_id, name, payload, rejection_code, rejection_reason, rejection_field, created_at FROM outbox WHERE status = 'rejected' ORDER BY seq`)
      .all() as { seq: number; mutation_id: string; name: string; payload: string; rejection_code: string; rejection_reason: string; rejection_field: string | null; created_at: string }[];
    return rows.map((r) => ({
      seq: r.seq, mutationId: r.mutation_id, name: r.name, payload: JSON.parse(r.payload) as unknown,
      code: r.rejection_code, reason: r.rejection_reason, field: r.rejection_field, createdAt: r.created_at,
    }));
  }

  /**
   * A person looked at a rejected change and resolved it: discarded, or replaced by a corrected
   * mutation (`replacedBy`, written by the services as a new command). The row is kept for audit.
   */
  resolveRejected(mutationId: string, replacedBy: string | null = null): boolean {
    const r = this.sqlite
      .prepare(`UPDATE outbox SET status = 'discarded', resolved_at = ?, replaced_by = ? WHERE mutation_id = ? AND status = 'rejected'`)
      .run(new Date().toISOString(), replacedBy, mutationId);
    this.emitStatus();
    return r.changes === 1;
  }

  /** Asks the loop to sync now (after a local write, or when the server announced changes). */
  requestSync(): void {
    this.wakeRequested = true;
    this.wake?.();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
    if (this.opts.live !== false) this.liveDone = this.listenLoop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.liveAbort?.abort();
    this.wake?.();
    await Promise.allSettled([this.loopDone, this.liveDone, this.syncing]);
  }

  private async sleep(ms: number): Promise<void> {
    if (this.wakeRequested || !this.running) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
    this.wake = null;
  }

  private async loop(): Promise<void> {
    const base = this.opts.backoffBaseMs ?? 500;
    const max = this.opts.backoffMaxMs ?? 60_000;
    while (this.running) {
      this.wakeRequested = false;
      try {
        await this.syncOnce();
        this.failures = 0;
        await this.sleep(this.opts.pollMs ?? 30_000);
      } catch {
        this.failures += 1;
        await this.sleep(fullJitterDelay(this.failures, base, max));
      }
    }
  }

  private async listenLoop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.liveAbort = new AbortController();
      try {
        await this.client.listen(this.liveAbort.signal, (e: SyncEvent) => {
          failures = 0;
          this.serverCursor = Math.max(this.serverCursor, e.cursor);
          if (e.cursor > this.applier.cursor() || e.type === 'hello') this.requestSync();
        });
      } catch {
        failures += 1;
      }
      if (!this.running) return;
      // Interruptible, so stop() never waits out a reconnect delay.
      const signal = this.liveAbort.signal;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, fullJitterDelay(failures + 1, this.opts.backoffBaseMs ?? 500, this.opts.backoffMaxMs ?? 60_000));
        signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
    }
  }

  /** One full round: push everything pending, then pull until caught up. Serialized. */
  async syncOnce(): Promise<void> {
    while (this.syncing) await this.syncing.catch(() => {});
    const run = this.round();
    this.syncing = run;
    try {
      await run;
    } finally {
      this.syncing = null;
    }
  }

  private async round(): Promise<void> {
    try {
      let pushError: unknown = null;
      try {
        await this.pushAll();
      } catch (e) {
        // A refusal (e.g. a sequence gap) must not also cut this desk off from others' changes.
        if (e instanceof SyncHttpError && !e.transient && e.status !== 401 && e.status !== 426) pushError = e;
        else throw e;
      }
      this.activity = null;
      // The activity chain goes up after the pushes it records, so the server has the mutations first.
      let uploadError: unknown = null;
      try {
        await this.uploadActivity();
      } catch (e) {
        // A refused chain is reported, and retried with backoff, but does not stop the pull either.
        if (e instanceof ActivityChainRefused || (e instanceof SyncHttpError && !e.transient && e.status !== 401 && e.status !== 426)) uploadError = e;
        else throw e;
      }
      this.activity = null;
      await this.pullAll();
      if (pushError) throw pushError;
      if (uploadError) throw uploadError;
      this.state = { online: true, lastSuccessAt: new Date().toISOString(), lastError: null };
    } catch (e) {
      const transient = !(e instanceof SyncHttpError) || e.transient;
      this.state = { ...this.state, online: !(e instanceof SyncHttpError && e.status === 0), lastError: e instanceof Error ? e.message : String(e) };
      if (!transient) this.state = { ...this.state, online: true };
      throw e;
    } finally {
      this.activity = null;
      this.emitStatus();
    }
  }

  private async uploadActivity(): Promise<void> {
    const { deviceId } = this.identity();
    if (!deviceId) return;
    if (this.uploader.state(deviceId).pending === 0) return;
    this.activity = { ...this.idle(), phase: 'uploading' };
    this.emitStatus();
    await this.uploader.upload(deviceId, () => this.emitStatus());
  }

  private async pushAll(): Promise<void> {
    const { deviceId } = this.identity();
    if (!deviceId) throw new SyncHttpError(401, 'not_enrolled', 'This desk is not enrolled with a sync server yet.');
    const batch = Math.min(this.opts.batchSize ?? 200, MAX_PUSH_BATCH);
    const select = this.sqlite.prepare(`SELECT seq, mutation_id, name, payload, created_at, actor_user_id FROM outbox WHERE status IN ('pending','in_flight') ORDER BY seq LIMIT ?`);
    for (;;) {
      const all = select.all(batch) as OutboxRow[];
      if (all.length === 0) return;
      if (!this.activity) this.activity = { ...this.idle(), phase: 'pushing' };
      // Keep a request well under the server's body limit even when orders are large.
      let bytes = 0;
      const rows = all.filter((r, i) => (bytes += r.payload.length + 300) <= MAX_PUSH_BYTES || i === 0);
      const missingActor = rows.find((r) => !r.actor_user_id);
      if (missingActor) throw new Error(`Outbox mutation ${missingActor.seq} has no actor; it was not written through the services.`);
      const mutations: MutationEnvelope[] = rows.map((r) => ({
        mutationId: r.mutation_id, deviceId, seq: r.seq, name: r.name, actorUserId: r.actor_user_id!, payload: JSON.parse(r.payload) as unknown, clientTime: r.created_at,
      }));
      this.sqlite.prepare(`UPDATE outbox SET attempts = attempts + 1 WHERE seq BETWEEN ? AND ?`).run(rows[0]!.seq, rows[rows.length - 1]!.seq);
      const answer = await this.client.push({ mutations });
      this.reconcile(rows, answer.results);
      this.emitStatus();
    }
  }

  /**
   * Records the server's answer for each mutation, in ONE local transaction. An applied change
   * stays as it is until the pull brings the server's authoritative version; a rejected one is
   * rolled back to the server's copy (or removed if the server never had the entity) and kept in
   * the outbox with the reason, for a person to resolve.
   */
  private reconcile(rows: readonly OutboxRow[], results: readonly MutationResult[]): void {
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    const applied = this.sqlite.prepare(`UPDATE outbox SET status = 'applied', last_error = NULL WHERE seq = ?`);
    const rejected = this.sqlite.prepare(`UPDATE outbox SET status = 'rejected', rejection_code = ?, rejection_reason = ?, rejection_field = ? WHERE seq = ?`);
    this.sqlite.transaction(() => {
      for (const r of results) {
        const row = bySeq.get(r.seq);
        if (!row || row.mutation_id !== r.mutationId) continue;
        const ok = r.status === 'applied' || (r.status === 'duplicate' && r.original === 'applied');
        if (ok) {
          applied.run(r.seq);
          continue;
        }
        const code = r.status === 'rejected' ? r.code : (r.code ?? 'rejected');
        const reason = r.status === 'rejected' ? r.reason : (r.reason ?? 'The server refused this change.');
        rejected.run(code, reason, r.field ?? null, r.seq);
        this.rollBack(row);
        // Its optimistic money event never happened on the server: void it (append-only, so it
        // stays for audit) so the desk's sums and timeline match the server's.
        const eventId = localMoneyEventId(row.name, row.mutation_id, JSON.parse(row.payload) as unknown);
        if (eventId) this.applier.voidMoneyEvent(eventId, row.mutation_id, code, reason);
      }
    })();
  }

  private rollBack(row: OutboxRow): void {
    const touched = touchedEntities(row.name, JSON.parse(row.payload) as unknown);
    // Dependents first (an invoice before its order, an order before its patient).
    for (const t of [...touched].reverse()) {
      if (this.applier.restore(t.entity, t.id)) continue;
      this.removeLocalOnly(t.entity, t.id);
    }
  }

  /** An entity the server never accepted: remove it locally if nothing append-only hangs on it. */
  private removeLocalOnly(entity: string, id: string): void {
    const s = this.sqlite;
    const tryRun = (fn: () => void) => {
      try {
        s.transaction(fn)();
      } catch {
        // Append-only rows (an issued invoice, a money event) keep it; the rejection stays visible.
      }
    };
    if (entity === 'order') {
      tryRun(() => {
        s.prepare(`DELETE FROM order_lines WHERE order_id = ?`).run(id);
        s.prepare(`DELETE FROM orders WHERE id = ?`).run(id);
      });
    } else if (entity === 'patient') {
      tryRun(() => {
        s.prepare(`DELETE FROM patients WHERE id = ? AND NOT EXISTS (SELECT 1 FROM orders WHERE patient_id = ?)`).run(id, id);
      });
    }
  }

  private async pullAll(): Promise<void> {
    const limit = this.opts.pullLimit ?? DEFAULT_PULL_LIMIT;
    const pendingTouch = this.sqlite.prepare(`SELECT name, payload FROM outbox WHERE status IN ('pending','in_flight')`);
    const startCursor = this.applier.cursor();
    let pulled = 0;
    const progress = (cursor: number, headCursor: number | null) => {
      this.activity = { phase: 'pulling', pulled, startCursor, cursor, headCursor };
      this.emitStatus();
    };
    progress(startCursor, this.serverCursor > startCursor ? this.serverCursor : null);
    for (;;) {
      const page = await this.client.pull(this.applier.cursor(), limit);
      // An entity with a still-unanswered local change keeps its optimistic row; only the
      // server copy is updated, and the next round brings the server's verdict.
      const pending = pendingTouch.all() as { name: string; payload: string }[];
      const protectedKeys = new Set(pending.flatMap((p) => touchedEntities(p.name, JSON.parse(p.payload) as unknown).map((t) => `${t.entity}:${t.id}`)));
      this.applier.applyPage(page.changes, page.nextCursor, protectedKeys);
      this.serverCursor = Math.max(this.serverCursor, page.nextCursor, page.headCursor ?? 0);
      pulled += page.changes.length;
      if (!page.hasMore) return;
      progress(page.nextCursor, page.headCursor ?? null);
    }
  }
}
