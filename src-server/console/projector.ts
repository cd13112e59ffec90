import type { ServerDb } from '../db/connect';
import { consoleDb, projectConsoleRows } from './order-projection';

const PAGE = 2000;
const PROJECTED = ['order', 'patient', 'invoice'];

/**
 * Keeps the console's order search tables (order-projection.ts) up to date from each clinic's
 * change feed, like one more desk pulling it, instead of inside the push transaction: the push
 * path is the sync server's hot path (20,000 mutations/s is its target) and every order write
 * would otherwise also pay for a row with four indexes. Projection state is one cursor per clinic
 * (`console_projection`), advanced in the same transaction as the rows it projected, so a crash
 * or a second instance never skips or half-applies a page; on PostgreSQL the state row is locked
 * for the page, so instances take turns.
 *
 * The console's search calls `catchUp` first, so it always answers from the feed as committed at
 * that moment (a change the console itself just caused is visible). While someone uses the
 * console (a search in the last ten minutes) a background round every 2 s keeps that catch-up
 * short; a server nobody watches spends nothing on it.
 */
export class ConsoleProjector {
  private running: Promise<void> | null = null;
  private again = false;
  private lastSearchAt = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly sdb: ServerDb) {}

  /** Catches up for a search, and keeps catching up in the background while the console is in use. */
  async forSearch(): Promise<void> {
    this.lastSearchAt = Date.now();
    this.timer ??= setInterval(() => {
      if (Date.now() - this.lastSearchAt > 10 * 60_000) return this.stopTimer();
      this.catchUp().catch(() => {}); // the next round or search tries again
    }, 2000).unref();
    await this.catchUp();
  }

  /** Stops the background rounds and waits for one that is running (before the database closes). */
  async stop(): Promise<void> {
    this.stopTimer();
    await this.running?.catch(() => {});
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Projects every committed change of every clinic; concurrent callers share one round. */
  async catchUp(): Promise<void> {
    if (this.running) {
      // A round already running may have read the heads before the caller's change committed.
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.round();
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async round(): Promise<void> {
    const db = consoleDb(this.sdb.db);
    const behind = await db
      .selectFrom('clinics')
      .leftJoin('console_projection', 'console_projection.clinic_id', 'clinics.id')
      .select(['clinics.id as clinicId', 'clinics.change_seq as head', 'console_projection.cursor as cursor'])
      .execute();
    for (const c of behind) {
      if (Number(c.head) > Number(c.cursor ?? 0)) await this.clinic(c.clinicId, Number(c.head));
    }
  }

  /** Projects one clinic up to `head` (a committed change_seq: every cursor up to it is committed). */
  private async clinic(clinicId: string, head: number): Promise<void> {
    for (;;) {
      const done = await this.sdb.db.transaction().execute(async (trx) => {
        const t = consoleDb(trx);
        await t.insertInto('console_projection').values({ clinic_id: clinicId, cursor: 0 }).onConflict((oc) => oc.column('clinic_id').doNothing()).execute();
        let q = t.selectFrom('console_projection').select('cursor').where('clinic_id', '=', clinicId);
        if (this.sdb.kind === 'postgres') q = q.forUpdate();
        const from = Number((await q.executeTakeFirstOrThrow()).cursor);
        if (from >= head) return true;
        const rows = await trx
          .selectFrom('changes')
          .select(['cursor', 'entity', 'entity_id', 'data'])
          .where('clinic_id', '=', clinicId)
          .where('cursor', '>', from)
          .where('cursor', '<=', head)
          .where('entity', 'in', PROJECTED)
          .orderBy('cursor')
          .limit(PAGE)
          .execute();
        // The newest document of each entity in the page, in feed order.
        const docs = new Map<string, Record<string, unknown>>();
        for (const r of rows) if (r.data !== null) docs.set(`${r.entity}\u0000${r.entity_id}`, JSON.parse(r.data) as Record<string, unknown>);
        await projectConsoleRows(trx, clinicId, docs);
        const full = rows.length === PAGE;
        const to = full ? Number(rows[rows.length - 1]!.cursor) : head;
        await t.updateTable('console_projection').set({ cursor: to }).where('clinic_id', '=', clinicId).execute();
        return !full;
      });
      if (done) return;
    }
  }
}

const projectors = new WeakMap<ServerDb, ConsoleProjector>();

/** The projector of a database (one per opened ServerDb, so per server process). */
export function consoleProjector(sdb: ServerDb): ConsoleProjector {
  let p = projectors.get(sdb);
  if (!p) projectors.set(sdb, (p = new ConsoleProjector(sdb)));
  return p;
}
