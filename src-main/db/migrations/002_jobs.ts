import type { Kysely, Migration } from 'kysely';

export const m002_jobs: Migration = {
  async up(_db: Kysely<any>): Promise<void> {},
};
