/** Migration 005_money_voids as Kysely sees it. */

/** A local money event whose command the server rejected: left out of every read, kept for audit. */
export interface MoneyEventVoidTable {
  event_id: string;
  /** The rejected outbox mutation that wrote the event. */
  mutation_id: string;
  /** The server's rejection code and reason, as the outbox row has them. */
  code: string;
  reason: string;
  at: string;
}

export interface MoneyVoidTables {
  money_event_voids: MoneyEventVoidTable;
}
