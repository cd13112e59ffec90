import { z } from 'zod';
import { formatZodError } from '../../src-shared/schemas/errors';
import { RejectCode } from '../../src-shared/sync/protocol';
import type { PushReceiptsTable } from '../db/schema';

/**
 * A push receipt (table `push_receipts`, migration 007) is how the server records (device, seq)
 * in the same transaction as the effects (invariant 2): one row per push, covering the seqs it
 * applied or rejected, with one entry per seq in order. It used to be one row per mutation, with
 * an index on its (device, seq) and another on its mutationId: two of the five index entries
 * every mutation wrote.
 */
export const ReceiptEntry = z.object({
  /** The mutationId: a resent seq with another id is `sequence_reused`, not a duplicate. */
  id: z.string(),
  name: z.string(),
  actor: z.string(),
  /** Present only when the mutation was rejected. */
  code: RejectCode.optional(),
  reason: z.string().optional(),
  field: z.string().optional(),
});
export type ReceiptEntry = z.infer<typeof ReceiptEntry>;

const Outcomes = z.array(ReceiptEntry).min(1);

/** The receipt of seqs `firstSeq`, `firstSeq + 1`, … in the order of `entries`. */
export function receiptRow(deviceId: string, clinicId: string, firstSeq: number, entries: readonly ReceiptEntry[], receivedAt: string): PushReceiptsTable {
  return { device_id: deviceId, first_seq: firstSeq, last_seq: firstSeq + entries.length - 1, clinic_id: clinicId, outcomes: JSON.stringify(entries), received_at: receivedAt };
}

/**
 * The recorded entry of every seq in `seqs` that one of `rows` covers. A receipt whose outcomes do
 * not decode (or do not match its seq range) is a damaged database: that fails loudly rather
 * than letting a resent mutation be applied a second time.
 */
export function recordedEntries(rows: readonly PushReceiptsTable[], seqs: readonly number[]): Map<number, ReceiptEntry> {
  const wanted = new Set(seqs);
  const out = new Map<number, ReceiptEntry>();
  for (const r of rows) for (const [seq, e] of receiptEntries(r)) if (wanted.has(seq)) out.set(seq, e);
  return out;
}

/** Each seq of a receipt with its entry, in order; throws if the receipt is damaged. */
export function receiptEntries(r: PushReceiptsTable): [seq: number, entry: ReceiptEntry][] {
  const first = Number(r.first_seq);
  const parsed = Outcomes.safeParse(safeJson(r.outcomes));
  if (!parsed.success || parsed.data.length !== Number(r.last_seq) - first + 1) {
    const why = parsed.success ? `it holds ${parsed.data.length} entries for seqs ${first}..${r.last_seq}` : formatZodError(parsed.error);
    throw new Error(`push receipt of device ${r.device_id} from seq ${first} is damaged: ${why}`);
  }
  return parsed.data.map((e, i) => [first + i, e]);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
