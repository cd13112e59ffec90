/**
 * The sync server's tables as Kysely sees them. Portable types only (text, integer, bigint) so the
 * same queries run on SQLite and PostgreSQL; JSON is stored as text, booleans as 0/1, instants as
 * ISO-8601 text.
 */
export interface ClinicsTable {
  id: string;
  name: string;
  /** Clinic settings (JSON object), flows to desks as the `clinic` entity. */
  settings: string;
  /** Last change-feed cursor handed out for this clinic; the row lock serializes feed writers. */
  change_seq: number;
  created_at: string;
}

export interface UsersTable {
  id: string;
  clinic_id: string | null;
  username: string;
  display_name: string;
  role: string;
  personnummer: string | null;
  language: string;
  active: number;
  password_hash: string;
  pin_hash: string;
  created_at: string;
  updated_at: string;
}

export interface DevicesTable {
  id: string;
  clinic_id: string;
  name: string;
  credential_hash: string;
  /** Highest mutation seq recorded for this device; the next must be last_seq + 1. */
  last_seq: number;
  enrolled_at: string;
  revoked_at: string | null;
}

export interface EnrolmentCodesTable {
  code_hash: string;
  clinic_id: string;
  created_by: string;
  expires_at: string;
  used_at: string | null;
  device_id: string | null;
}

export interface SessionsTable {
  id: string;
  device_id: string;
  user_id: string;
  clinic_id: string | null;
  method: string;
  access_hash: string;
  access_expires_at: string;
  refresh_hash: string;
  /** The refresh token this one replaced: presenting it again means theft, so the session dies. */
  prev_refresh_hash: string | null;
  refresh_expires_at: string;
  created_at: string;
  revoked_at: string | null;
}

/**
 * What the server answered to one push (migration 007): the (device, seq) range it recorded and,
 * per seq, the mutation's id, command, actor and, if rejected, why (sync/receipts.ts).
 */
export interface PushReceiptsTable {
  device_id: string;
  first_seq: number;
  last_seq: number;
  clinic_id: string;
  /** JSON array of ReceiptEntry, one per seq from first_seq to last_seq. */
  outcomes: string;
  received_at: string;
}

export interface ChangesTable {
  clinic_id: string;
  cursor: number;
  entity: string;
  entity_id: string;
  op: 'upsert' | 'delete';
  data: string | null;
  mutation_id: string | null;
  created_at: string;
}

/**
 * Authoritative current state of every synced entity: the cursor of its newest change with a
 * document (that change's `data` is the entity's document; migration 006).
 */
export interface EntitiesTable {
  clinic_id: string;
  entity: string;
  id: string;
  version: number;
  cursor: number;
}

/** View: each entity row with its document, joined from the change it points at. */
export interface EntityDocsView extends EntitiesTable {
  data: string;
}

/** Uniqueness the domain needs (order numbers, invoice numbers, series ownership) per clinic. */
export interface UniqueKeysTable {
  clinic_id: string;
  kind: string;
  key: string;
  owner_id: string;
}

export interface ServerDatabase {
  clinics: ClinicsTable;
  users: UsersTable;
  devices: DevicesTable;
  enrolment_codes: EnrolmentCodesTable;
  sessions: SessionsTable;
  push_receipts: PushReceiptsTable;
  changes: ChangesTable;
  entities: EntitiesTable;
  entity_docs: EntityDocsView;
  unique_keys: UniqueKeysTable;
}
