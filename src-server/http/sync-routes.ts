import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PullQuery, PushRequest, type SyncEvent } from '../../src-shared/sync/protocol';
import { authenticateSyncCaller } from '../auth/service';
import type { CommandRegistry } from '../commands/registry';
import type { ServerDb } from '../db/connect';
import { applyPush, type PushHooks } from '../sync/push';
import { parseInput } from './errors';
import { checkProtocol } from './protocol-version';

export const PUSH_BODY_LIMIT = 4 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;

export function syncRoutes(app: FastifyInstance, sdb: ServerDb, registry: CommandRegistry, hooks: PushHooks): void {
  // Open event streams never end by themselves: close them when the server closes.
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });

  app.post('/v1/sync/push', { bodyLimit: PUSH_BODY_LIMIT }, async (request) => {
    checkProtocol(request);
    const device = await authenticateSyncCaller(sdb, request.headers.authorization);
    const body = parseInput(PushRequest, request.body, 'body');
    const answer = await applyPush(sdb, device, body, registry, hooks);
    if (hooks.beforeReply) await hooks.beforeReply();
    return answer;
  });

  app.get('/v1/sync/pull', async (request, reply) => {
    checkProtocol(request);
    const device = await authenticateSyncCaller(sdb, request.headers.authorization);
    const q = parseInput(PullQuery, request.query, 'query');
    // Scoped by the authenticated device's clinic only: nothing in the request can widen it.
    const rows = await sdb.db
      .selectFrom('changes')
      .select(['cursor', 'entity', 'entity_id', 'op', 'data', 'mutation_id'])
      .where('clinic_id', '=', device.clinicId)
      .where('cursor', '>', q.cursor)
      .orderBy('cursor')
      .limit(q.limit + 1)
      .execute();
    // Read after the page, so the head is never below the page's last cursor.
    const head = await sdb.db.selectFrom('clinics').select('change_seq').where('id', '=', device.clinicId).executeTakeFirst();
    const page = rows.slice(0, q.limit);
    const nextCursor = page.length ? Number(page[page.length - 1]!.cursor) : q.cursor;
    // `data` is JSON the server wrote itself: splice it in as text instead of parsing and
    // re-serializing every document of a page (the initial sync of a clinic is thousands of pages).
    const parts = page.map(
      (r) =>
        `{"cursor":${Number(r.cursor)},"entity":${JSON.stringify(r.entity)},"entityId":${JSON.stringify(r.entity_id)},"op":${JSON.stringify(r.op)},"data":${r.data ?? 'null'},"mutationId":${JSON.stringify(r.mutation_id)}}`,
    );
    const body = `{"changes":[${parts.join(',')}],"nextCursor":${nextCursor},"hasMore":${rows.length > q.limit},"headCursor":${Math.max(Number(head?.change_seq ?? 0), nextCursor)}}`;
    return reply.type('application/json; charset=utf-8').send(body);
  });

  app.get('/v1/sync/events', async (request, reply) => {
    checkProtocol(request);
    const device = await authenticateSyncCaller(sdb, request.headers.authorization);
    parseInput(z.object({}).passthrough(), request.query, 'query');
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const send = (e: SyncEvent) => {
      if (!res.writableEnded) res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    };
    // Subscribe before reading the current cursor, so nothing between the two is missed.
    const off = sdb.onChange((clinicId, cursor) => {
      if (clinicId === device.clinicId) send({ type: 'changes', cursor });
    });
    const heartbeat = setInterval(() => {
      if (!res.writableEnded) res.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    const close = () => {
      off();
      clearInterval(heartbeat);
      streams.delete(end);
    };
    const end = () => {
      close();
      if (!res.writableEnded) res.end();
    };
    streams.add(end);
    request.raw.on('close', close);
    res.on('error', close);
    try {
      const row = await sdb.db.selectFrom('clinics').select('change_seq').where('id', '=', device.clinicId).executeTakeFirst();
      send({ type: 'hello', cursor: Number(row?.change_seq ?? 0) });
    } catch {
      close();
      res.end();
    }
  });
}
