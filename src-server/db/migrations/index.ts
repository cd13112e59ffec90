import type { Migration } from 'kysely';
import { m001_sync } from './001_sync';
import { m002_accounts } from './002_accounts';
import { m003_accounts_removed } from './003_accounts_removed';
import { m004_webhooks } from './004_webhooks';
import { m005_console_orders_login_failures } from './005_console_orders_login_failures';
import { m006_entity_docs } from './006_entity_docs';
import { m007_push_receipts } from './007_push_receipts';
import { m008_byte_order_keys } from './008_byte_order_keys';

/** Ordered by name; a shipped migration is never edited, only followed by a new one. */
export const serverMigrations: Record<string, Migration> = {
  '001_sync': m001_sync,
  '002_accounts': m002_accounts,
  '003_accounts_removed': m003_accounts_removed,
  '004_webhooks': m004_webhooks,
  '005_console_orders_login_failures': m005_console_orders_login_failures,
  '006_entity_docs': m006_entity_docs,
  '007_push_receipts': m007_push_receipts,
  '008_byte_order_keys': m008_byte_order_keys,
};
