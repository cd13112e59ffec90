import type { FastifyInstance } from 'fastify';
import type { ServerDb } from '../db/connect';
import { accountsDb } from './schema';

const THROTTLE_MS = 30_000;

/**
 * Remembers when each desk last synced successfully, for the console's device list. Runs after
 * the sync routes answered 200 (so the caller was authenticated); at most one write per desk per
 * 30 s. Bearer (user session) callers are mapped to their device through the session row.
 */
export function trackDeviceSync(app: FastifyInstance, sdb: ServerDb): void {
  const lastWrite = new Map<string, number>();
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode !== 200 || !/^\/v1\/(sync\/(push|pull)|activity\/push)/.test(request.url)) return;
    const auth = request.headers.authorization ?? '';
    let deviceId = /^Device ([0-9a-f-]{36}):/.exec(auth)?.[1] ?? null;
    const db = accountsDb(sdb.db);
    try {
      if (!deviceId) {
        const sid = /^Bearer ka1\.([0-9a-f-]{36})\./.exec(auth)?.[1];
        if (!sid) return;
        deviceId = (await db.selectFrom('sessions').select('device_id').where('id', '=', sid).executeTakeFirst())?.device_id ?? null;
        if (!deviceId) return;
      }
      const now = Date.now();
      if (now - (lastWrite.get(deviceId) ?? 0) < THROTTLE_MS) return;
      lastWrite.set(deviceId, now);
      const at = new Date(now).toISOString();
      await db.insertInto('device_sync').values({ device_id: deviceId, last_sync_at: at }).onConflict((oc) => oc.column('device_id').doUpdateSet({ last_sync_at: at })).execute();
    } catch {
      // Bookkeeping for a list: never fails a sync.
    }
  });
}
