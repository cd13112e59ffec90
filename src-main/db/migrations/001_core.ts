import type { Kysely, Migration } from 'kysely';

export const m001_core: Migration = {
  async up(_db: Kysely<any>): Promise<void> {},
};
