import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { localMigrations } from './migrations';

/** Migrations are code (no files to find at run time), so a packaged asar works the same. */
class InCodeProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

// Migrations describe past schemas, so they see the database untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: new InCodeProvider(localMigrations) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Local database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
