import { accountsOptionsFromEnv, bootstrapSystemAdminFromEnv } from './accounts';
import { buildServer } from './app';

/**
 * `npm run server`: PORT (default 8787), HOST (default 127.0.0.1), DATABASE_URL (PostgreSQL) or
 * KASSA_SERVER_DB (SQLite file, default ./kassa-server.sqlite), KASSA_ADMIN_TOKEN (bootstrap admin).
 * KASSA_TEST_PUSH_STALL_MS makes every push wait (inside its transaction before COMMIT, or after
 * COMMIT before answering with KASSA_TEST_PUSH_STALL_AT=before_reply) and print "push stalled";
 * the crash tests use it to kill the server at a known point.
 */
const env = process.env;
const stallMs = Number(env.KASSA_TEST_PUSH_STALL_MS ?? 0);
const stallAt = env.KASSA_TEST_PUSH_STALL_AT === 'before_reply' ? 'beforeReply' : 'beforeCommit';
const stall = async () => {
  process.stdout.write('push stalled\n');
  await new Promise((r) => setTimeout(r, stallMs));
};
const app = await buildServer({
  databaseUrl: env.DATABASE_URL || undefined,
  sqliteFile: env.KASSA_SERVER_DB || 'kassa-server.sqlite',
  adminToken: env.KASSA_ADMIN_TOKEN || undefined,
  logger: { level: env.LOG_LEVEL ?? 'info' },
  pushHooks: stallMs > 0 ? { [stallAt]: stall } : {},
  accounts: accountsOptionsFromEnv(env),
});
await bootstrapSystemAdminFromEnv(app.sdb, env);
const address = await app.listen({ port: Number(env.PORT ?? 8787), host: env.HOST ?? '127.0.0.1' });
app.log.info(`Kassa sync server listening on ${address} (database: ${app.sdb.kind} ${app.sdb.location})`);
process.stdout.write(`listening ${address}\n`);

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void app.close().then(() => process.exit(0));
  });
}
