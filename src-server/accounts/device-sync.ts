import type { FastifyInstance } from 'fastify';
import type { ServerDb } from '../db/connect';
import { accountsDb } from './schema';

const THROTTLE_MS = 30_000;
/**
 * Seen syncs are written together, at most this often. A write on the server's SQLite file waits
 * (on the event loop) for the push pipeline's COMMIT in progress; one write for every desk seen
 * meanwhile, instead of one per desk, keeps that wait off the push path (50 desks starting at
 * once blocked the event loop ~150 ms, 3 ms a write).
 */
const FLUSH_MS = 1_000;

/**
 * Remembers when each desk last synced successfully, for the console's device list. Runs after
 * the sync routes answered 200 (so the caller was authenticated); at most one write per desk per
 * 30 s. Bearer (user session) callers are mapped to their device through the session row.
 */
export function trackDeviceSync(app: FastifyInstance, sdb: ServerDb): void {
  const lastSeen = new Map<string, number>();
  const pending = new Map<string, string>();
  const db = accountsDb(sdb.db);
  let timer: NodeJS.Timeout | null = null;

  const flush = async () => {
    timer = null;
    if (pending.size === 0) return;
    const rows = [...pending].map(([device_id, last_sync_at]) => ({ device_id, last_sync_at }));
    pending.clear();
    try {
      await db
        .insertInto('device_sync')
        .values(rows)
        .onConflict((oc) => oc.column('device_id').doUpdateSet((eb) => ({ last_sync_at: eb.ref('excluded.last_sync_at') })))
        .execute();
    } catch {
      // Bookkeeping for a list: never fails a sync (the next sync of the desk records it).
      for (const r of rows) lastSeen.delete(r.device_id);
    }
  };

  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode !== 200 || !/^\/v1\/(sync\/(push|pull)|activity\/push)/.test(request.url)) return;
    const auth = request.headers.authorization ?? '';
    let deviceId = /^Device ([0-9a-f-]{36}):/.exec(auth)?.[1] ?? null;
    try {
      if (!deviceId) {
        const sid = /^Bearer ka1\.([0-9a-f-]{36})\./.exec(auth)?.[1];
        if (!sid) return;
        deviceId = (await db.selectFrom('sessions').select('device_id').where('id', '=', sid).executeTakeFirst())?.device_id ?? null;
        if (!deviceId) return;
      }
    } catch {
      return;
    }
    const now = Date.now();
    if (now - (lastSeen.get(deviceId) ?? 0) < THROTTLE_MS) return;
    lastSeen.set(deviceId, now);
    pending.set(deviceId, new Date(now).toISOString());
    timer ??= setTimeout(() => void flush(), FLUSH_MS).unref();
  });
  // Before the database closes (the app's own onClose closes it).
  app.addHook('preClose', async () => {
    if (timer) clearTimeout(timer);
    await flush();
  });
}
