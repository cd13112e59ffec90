/**
 * Durable provider jobs (issue 4): every call that changes money or messages a patient runs from a
 * row here, written in the same transaction as the user's action (see src-main/jobs).
 * Payloads and errors are facts only: credentials are read from the keychain at run time.
 */
export interface JobTable {
  id: string;
  kind: string;
  /** Unique per kind: the Paynova order number for Paynova jobs, a caller-chosen key otherwise. */
  idempotency_key: string;
  clinic_id: string;
  /** What the desk shows the job against, e.g. "order:9f2c…". */
  subject: string | null;
  /** JSON of the kind's payload schema. */
  payload: string;
  /** JSON checkpoint a multi-step job commits between steps (e.g. the Paynova orderId). */
  progress: string;
  status: string;
  attempts: number;
  max_attempts: number;
  next_run_at: string;
  /** Set when the job was last marked in_flight: a crash leaves it set, recovery reads it. */
  in_flight_since: string | null;
  /** 1 after recovery found the job in_flight: the handler must check before re-sending. */
  uncertain: number;
  last_error: string | null;
  last_error_code: string | null;
  /** JSON of the outcome (typed per kind), once succeeded or failed. */
  result: string | null;
  created_at: string;
  updated_at: string;
}

/** Paynova orders this desk registered, so reconciliation knows which ones are still open. */
export interface PaynovaOrderTable {
  order_number: string;
  clinic_id: string;
  order_id: string;
  transaction_id: string | null;
  /** Our view: created, authorized, finalized, annulled, refunded, rejected. */
  state: string;
  /** The last `status` string getOrderInfo returned (e.g. "Open"). */
  provider_status: string | null;
  last_checked_at: string | null;
  created_at: string;
  updated_at: string;
}

/** One sent SMS and its delivery status (advanceSmsStatus: never backwards, never out of terminal). */
export interface SmsMessageTable {
  sid: string;
  job_id: string;
  clinic_id: string;
  subject: string | null;
  status: string;
  error_code: number | null;
  created_at: string;
  updated_at: string;
}

export interface JobTables {
  job: JobTable;
  paynova_order: PaynovaOrderTable;
  sms_message: SmsMessageTable;
}
