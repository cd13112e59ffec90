/** Append-only, hash-chained activity records (see src-main/db/activity-chain.ts). */
export interface ActivityTable {
  id: string;
  chain_id: string;
  seq: number;
  at: string;
  clinic_id: string;
  actor_user_id: string | null;
  action: string;
  subject: string | null;
  outcome: string;
  country: string | null;
  ip: string | null;
  /** JSON object of facts; never secrets. */
  details: string;
  prev_hash: string;
  hash: string;
  /** 0 until the server has acknowledged it through sync. */
  synced: number;
}

export interface ActivityTables {
  activity: ActivityTable;
}
