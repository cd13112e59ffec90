import type { ActivityTables } from './tables/activity';
import type { CoreTables } from './tables/core';
import type { JobTables } from './tables/jobs';

/** The local SQLite schema as Kysely sees it: one interface per area, composed here. */
export interface LocalDatabase extends ActivityTables, CoreTables, JobTables {}
