import { EventEmitter } from 'node:events';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type LogEvent, type Migration, type MigrationProvider, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import { startCheckpointer, type Checkpointer } from './checkpointer';
import { serverMigrations } from './migrations';
import { preparingPool } from './prepared';
import { startWriterThread, type WriterThread } from './writer-thread';
import type { ServerDatabase } from './schema';

export type DatabaseKind = 'sqlite' | 'postgres';

/** Called with the clinic and its newest cursor once a transaction that wrote changes committed. */
export type ChangeListener = (clinicId: string, cursor: number) => void;

export interface ServerDb {
  readonly kind: DatabaseKind;
  readonly db: Kysely<ServerDatabase>;
  /** The SQLite connection under `db` (kind sqlite only), for the push path's prepared statements. */
  readonly sqlite?: Database.Database;
  /** SQLite files only: the second connection, in a worker thread, that commits the push pipeline's writes. */
  readonly writerThread?: WriterThread;
  /** Where the data lives, for /health and the start log; never includes a password. */
  readonly location: string;
  /** Subscribe to committed change-feed writes of every instance sharing this database. */
  onChange(listener: ChangeListener): () => void;
  /**
   * Announce new changes. On PostgreSQL this runs INSIDE the writing transaction (pg_notify is
   * delivered at commit and only if it commits, to every instance); on SQLite the caller invokes it
   * after commit and it reaches this process only, which is the only one using the file.
   */
  notify(executor: Kysely<ServerDatabase>, clinicId: string, cursor: number): Promise<void>;
  readonly notifiesInTransaction: boolean;
  close(): Promise<void>;
}

const CHANNEL = 'kassa_changes';

// int8 (bigint) columns hold cursors and seqs, always far below 2^53: read them as numbers.
pg.types.setTypeParser(20, (v: string) => Number(v));

/** KASSA_SQL_LOG=1 prints every query's duration and text to stderr (profiling only). */
function queryLog(): ((e: LogEvent) => void) | undefined {
  if (!process.env.KASSA_SQL_LOG) return undefined;
  return (e) => process.stderr.write(`sql ${e.queryDurationMillis.toFixed(2)}ms ${e.query.sql.slice(0, 120).replace(/\s+/g, ' ')}\n`);
}

class InCodeProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

async function migrate(db: Kysely<ServerDatabase>): Promise<void> {
  const migrator = new Migrator({ db, provider: new InCodeProvider(serverMigrations) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Server database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export interface OpenServerDbOptions {
  /** postgres://… → PostgreSQL; otherwise `sqliteFile` is used. */
  readonly databaseUrl?: string | undefined;
  readonly sqliteFile?: string | undefined;
}

export async function openServerDb(options: OpenServerDbOptions): Promise<ServerDb> {
  const db = options.databaseUrl ? await openPostgres(options.databaseUrl) : await openSqlite(options.sqliteFile ?? 'kassa-server.sqlite');
  try {
    await migrate(db.db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}

/**
 * better-sqlite3 under Kysely: statements are prepared once per SQL text (Kysely prepares on
 * every call, which cost the push path ~3 % of its CPU), and a transaction begins IMMEDIATE.
 * With the writer thread committing on its own connection, a deferred transaction that read and
 * then wrote would fail at once with SQLITE_BUSY (its snapshot went stale) instead of waiting for
 * the write lock; IMMEDIATE takes the lock first, so busy_timeout applies.
 */
function cachedStatements(sqlite: Database.Database): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let s = cache.get(text);
      if (!s) {
        s = sqlite.prepare(text === 'begin' ? 'begin immediate' : text);
        // Texts repeat (the builder's output per query shape); an IN-list of a new length is new.
        if (cache.size >= 2000) cache.delete(cache.keys().next().value!);
        cache.set(text, s);
      }
      return s;
    },
  };
}

/**
 * The page size of a new server file. The push path inserts into indexes keyed by random uuids, a
 * different page for almost every row; with 16 KiB pages instead of SQLite's 4 KiB the writer
 * thread spent 10–15 % and the checkpointer ~40 % less CPU in the sync benchmark (1 KiB and 2 KiB
 * pages were slower, 32 KiB no better). An existing file keeps its page size: changing it would
 * take a VACUUM outside WAL mode, and 4 KiB pages still work.
 */
export const SQLITE_PAGE_SIZE = 16384;

/** The connections' own checkpoint threshold, a safety net behind the checkpointer thread: 64 MiB of WAL. */
const walAutocheckpointPages = (pageSize: number) => Math.max(1, Math.floor((64 * 1024 * 1024) / pageSize));

async function openSqlite(file: string): Promise<ServerDb> {
  const sqlite = new Database(file);
  // Only takes effect while the file is empty (before the first table), so only for new files.
  sqlite.pragma(`page_size = ${SQLITE_PAGE_SIZE}`);
  sqlite.pragma('journal_mode = WAL');
  // "applied" is a promise to a desk that then forgets its outbox row: make every commit durable.
  sqlite.pragma('synchronous = FULL');
  // Checkpoints run in a worker thread (checkpointer.ts); this is only the safety net.
  const inMemory = file === ':memory:' || file === '';
  const walPages = walAutocheckpointPages(Number(sqlite.pragma('page_size', { simple: true })));
  let checkpointer: Checkpointer | null = null;
  if (!inMemory) {
    sqlite.pragma(`wal_autocheckpoint = ${walPages}`);
    checkpointer = await startCheckpointer(file);
  }
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<ServerDatabase>({ dialect: new SqliteDialect({ database: cachedStatements(sqlite) }), log: queryLog() });
  // Its statements are prepared when first used, so it may start before the migrations ran.
  let writerThread: WriterThread | undefined;
  if (!inMemory) {
    try {
      writerThread = await startWriterThread(file, walPages);
    } catch (e) {
      await checkpointer?.stop();
      await db.destroy();
      throw e;
    }
  }
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    kind: 'sqlite',
    db,
    sqlite,
    location: file,
    ...(writerThread ? { writerThread } : {}),
    notifiesInTransaction: false,
    onChange(listener) {
      emitter.on('change', listener);
      return () => emitter.off('change', listener);
    },
    async notify(_executor, clinicId, cursor) {
      emitter.emit('change', clinicId, cursor);
    },
    async close() {
      emitter.removeAllListeners();
      await writerThread?.stop();
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

async function openPostgres(url: string): Promise<ServerDb> {
  const pool = new pg.Pool({ connectionString: url, max: 16 });
  // A broken idle connection must not crash the server; the pool replaces it.
  pool.on('error', () => {});
  const db = new Kysely<ServerDatabase>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }), log: queryLog() });
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  let closed = false;
  let listener: pg.Client | null = null;

  // One dedicated connection LISTENs for every instance's commits; it reconnects if it drops.
  const connectListener = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => {});
    client.on('end', () => {
      if (!closed) setTimeout(() => void connectListener().catch(() => {}), 500);
    });
    client.on('notification', (msg) => {
      if (msg.channel !== CHANNEL || !msg.payload) return;
      const sep = msg.payload.lastIndexOf(':');
      const cursor = Number(msg.payload.slice(sep + 1));
      if (sep > 0 && Number.isSafeInteger(cursor)) emitter.emit('change', msg.payload.slice(0, sep), cursor);
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    if (closed) await client.end();
    else listener = client;
  };
  await connectListener();

  const safe = new URL(url);
  safe.password = '';
  return {
    kind: 'postgres',
    db,
    location: `${safe.host}${safe.pathname}`,
    notifiesInTransaction: true,
    onChange(fn) {
      emitter.on('change', fn);
      return () => emitter.off('change', fn);
    },
    async notify(executor, clinicId, cursor) {
      await sql`select pg_notify(${CHANNEL}, ${`${clinicId}:${cursor}`})`.execute(executor);
    },
    async close() {
      closed = true;
      emitter.removeAllListeners();
      await listener?.end().catch(() => {});
      await db.destroy();
    },
  };
}
