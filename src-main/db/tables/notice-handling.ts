/** Migration 007_notice_handling as Kysely sees it. */

/** A notice from the central office that a person at this desk handled. */
export interface NoticeHandlingTable {
  notice_id: string;
  outcome: 'cancelled' | 'declined';
  note: string;
  handled_by_user_id: string;
  handled_at: string;
}

export interface NoticeHandlingTables {
  notice_handling: NoticeHandlingTable;
}
