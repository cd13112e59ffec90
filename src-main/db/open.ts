import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { LocalDatabase } from './database';
import { migrateToLatest } from './migrate';
import { optimizeStore } from './queries/maintenance';

export interface LocalStore {
  /** Raw handle: hot paths use prepared statements; synchronous transactions use `sqlite.transaction`. */
  readonly sqlite: Database.Database;
  readonly db: Kysely<LocalDatabase>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Electron loads its own build of the native module; plain Node leaves this unset. */
  readonly nativeBinding?: string;
  readonly readonly?: boolean;
}

/** Opens (creating if needed) the desk's local SQLite cache and brings its schema up to date. */
export async function openLocalStore(file: string, options: OpenOptions = {}): Promise<LocalStore> {
  const sqlite = new Database(file, {
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    ...(options.readonly ? { readonly: true } : {}),
  });
  applyPragmas(sqlite);
  const db = new Kysely<LocalDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  if (!options.readonly) await migrateToLatest(db);
  let timer: NodeJS.Timeout | null = null;
  const store: LocalStore = {
    sqlite,
    db,
    async close() {
      if (timer) clearInterval(timer);
      await db.destroy(); // closes the better-sqlite3 handle too
    },
  };
  if (!options.readonly) {
    // The list queries lean on planner statistics; a migration may have added indexes and a pull
    // may have changed the data a lot since the last run. Bounded, so it is cheap on any size.
    optimizeStore(store, { analysisLimit: OPTIMIZE_ANALYSIS_LIMIT });
    timer = setInterval(() => {
      try {
        optimizeStore(store, { analysisLimit: OPTIMIZE_ANALYSIS_LIMIT });
      } catch (_e) {
        // Busy or closing: statistics can wait for the next round.
      }
    }, OPTIMIZE_EVERY_MS);
    timer.unref();
  }
  return store;
}

/** SQLite's advice for long-lived connections: optimize on open and every few hours, with analysis_limit. */
const OPTIMIZE_EVERY_MS = 4 * 60 * 60 * 1000;
const OPTIMIZE_ANALYSIS_LIMIT = 1000;

/**
 * WAL lets the UI read while sync writes; NORMAL sync is durable across app crashes in WAL mode
 * (only an OS crash can lose the last commits); foreign keys are off by default in SQLite.
 */
export function applyPragmas(sqlite: Database.Database): void {
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma('cache_size = -65536'); // 64 MiB page cache
  sqlite.pragma('mmap_size = 268435456');
}
