import type { Kysely, Transaction } from 'kysely';
import type { ServerDatabase, UsersTable } from '../db/schema';

/**
 * The accounts issue's columns and tables (migration 002_accounts) as Kysely sees them. Kept here
 * rather than in db/schema.ts so the sync core's types stay as they are; `accountsDb` views the
 * same connection with both.
 */
export interface AccountUsersTable extends UsersTable {
  must_change: number;
  password_failures: number;
  password_locked_until: string | null;
  pin_failures: number;
  pin_locked_until: string | null;
  last_login_at: string | null;
  last_login_country: string | null;
  last_online_login_at: string | null;
  /** Set when removed (migration 003): the row stays for history. */
  removed_at: string | null;
}

export interface ServiceSettingsTable {
  key: string;
  data: string;
  updated_at: string;
  updated_by: string | null;
}

export interface ActivityTable {
  chain_id: string;
  seq: number;
  id: string;
  at: string;
  clinic_id: string;
  actor_user_id: string | null;
  action: string;
  subject: string | null;
  outcome: string;
  country: string | null;
  ip: string | null;
  details: string;
  prev_hash: string;
  hash: string;
  received_at: string;
}

/** The newest record of each chain, written with it: removing the tail is detectable too. */
export interface ActivityHeadsTable {
  chain_id: string;
  last_seq: number;
  last_hash: string;
}

export interface ConsoleSessionsTable {
  id: string;
  user_id: string;
  method: string;
  token_hash: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  ip: string | null;
  country: string | null;
}

export interface BankIdOrdersTable {
  /** Our handle (never the orderRef, which stays on the server). */
  id: string;
  order_ref: string;
  purpose: string;
  created_at: string;
  qr_start_token: string | null;
  qr_start_secret: string | null;
  consumed_at: string | null;
}

export interface DeviceSyncTable {
  device_id: string;
  last_sync_at: string;
}

export interface ClinicStateTable {
  clinic_id: string;
  active: number;
  updated_at: string;
}

/** Failed logins of one client address in one minute (migration 005), shared by every instance. */
export interface LoginFailuresTable {
  address: string;
  /** Minutes since the Unix epoch. */
  minute: number;
  failures: number;
}

export type AccountsDatabase = Omit<ServerDatabase, 'users'> & {
  users: AccountUsersTable;
  service_settings: ServiceSettingsTable;
  activity: ActivityTable;
  activity_heads: ActivityHeadsTable;
  console_sessions: ConsoleSessionsTable;
  bankid_orders: BankIdOrdersTable;
  device_sync: DeviceSyncTable;
  clinic_state: ClinicStateTable;
  login_failures: LoginFailuresTable;
};

export type AccountsExecutor = Kysely<AccountsDatabase> | Transaction<AccountsDatabase>;

/** The same connection typed with the accounts tables. */
export function accountsDb<T>(db: Kysely<T> | Transaction<T>): AccountsExecutor {
  return db as unknown as AccountsExecutor;
}
