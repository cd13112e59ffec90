import type { ActivityTables } from './tables/activity';
import type { CoreTables } from './tables/core';
import type { JobTables } from './tables/jobs';
import type { MoneyVoidTables } from './tables/money-voids';
import type { NoticeHandlingTables } from './tables/notice-handling';
// orders.activated_at (004): added to core's OrderTable by module augmentation.
import './tables/order-activation';

/** The local SQLite schema as Kysely sees it: one interface per area, composed here. */
export interface LocalDatabase extends ActivityTables, CoreTables, JobTables, MoneyVoidTables, NoticeHandlingTables {}
