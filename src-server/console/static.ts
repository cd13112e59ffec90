import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `vite build --mode console` puts the console (vite.config.ts). */
export const CONSOLE_DIST = resolve(import.meta.dirname, '../../dist/console');

// The console is our own static bundle: no inline script, no foreign origin, no framing.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Serves the built console under /console/ with strict headers; says how to build it if missing. */
export async function serveConsole(app: FastifyInstance, root = CONSOLE_DIST): Promise<void> {
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url.startsWith('/console')) {
      if (!request.url.startsWith('/console/api/')) reply.header('content-security-policy', CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('x-frame-options', 'DENY');
      if (request.url.startsWith('/console/api/')) reply.header('cache-control', 'no-store');
    }
    return payload;
  });
  app.get('/console', async (_request, reply) => reply.redirect('/console/'));
  if (!existsSync(resolve(root, 'index.html'))) {
    app.get('/console/', async (_request, reply) =>
      reply.status(503).type('text/plain; charset=utf-8').send('The console is not built. Run: npx vite build --config vite.config.ts --mode console'),
    );
    return;
  }
  await app.register(fastifyStatic, { root, prefix: '/console/', decorateReply: false, index: ['index.html'], wildcard: true });
}
