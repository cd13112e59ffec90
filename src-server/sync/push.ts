import { formatZodError, zodIssues } from '../../src-shared/schemas/errors';
import { Role } from '../../src-shared/schemas/enums';
import type { MutationEnvelope, MutationResult, PushRequest, PushResponse } from '../../src-shared/sync/protocol';
import type { AuthedDevice } from '../auth/service';
import type { CommandHandler, CommandRegistry, Rejection } from '../commands/registry';
import type { ServerDb } from '../db/connect';
import type { ActorRow } from './feed-store';
import { receiptRow, recordedEntries, type ReceiptEntry } from './receipts';
import { groupCommitter } from './group-commit';

export class PushRefused extends Error {
  constructor(
    readonly status: 400 | 403 | 409,
    readonly code: string,
    message: string,
    readonly extra: { expectedSeq?: number } = {},
  ) {
    super(message);
  }
}

export interface PushHooks {
  /** Test seam: runs inside the transaction after all effects are written, before COMMIT. */
  beforeCommit?: () => Promise<void>;
  /** Test seam: runs after COMMIT, before the answer is sent. */
  beforeReply?: () => Promise<void>;
}

/** Conflicts are explained to every desk of the clinic, not only to the one that was refused. */
const NOTICE_CODES = new Set(['conflict', 'not_draft']);

/**
 * Applies a batch of mutations from one device, in seq order, in ONE transaction together with
 * their (device, seq) record, the push's receipt (invariant 2, receipts.ts). Already-recorded seqs
 * answer `duplicate` with the original outcome; a seq beyond last_seq + 1 refuses the whole batch
 * (a gap means the desk lost something, and applying later mutations out of order could change
 * their meaning). Idempotency is keyed on (device, seq), which the desk assigns in the same
 * transaction as the mutation's id (invariant 1): a recorded seq resent with another id is
 * `sequence_reused`, and one push may not hold an id twice.
 */
export async function applyPush(sdb: ServerDb, device: AuthedDevice, req: PushRequest, registry: CommandRegistry, hooks: PushHooks = {}): Promise<PushResponse> {
  const muts = req.mutations;
  muts.forEach((m, i) => {
    if (m.deviceId !== device.id) throw new PushRefused(403, 'device_mismatch', `mutations.${i}.deviceId: this device may only push its own mutations.`);
    if (m.seq !== muts[0]!.seq + i) throw new PushRefused(400, 'sequence_not_contiguous', `mutations.${i}.seq: a push must hold consecutive seqs in order; expected ${muts[0]!.seq + i}, got ${m.seq}.`);
  });
  if (new Set(muts.map((m) => m.mutationId)).size !== muts.length) throw new PushRefused(400, 'mutation_id_reused', 'mutations: the same mutationId appears twice in one push.');

  // Shares its transaction (and its COMMIT) with the other pushes that arrive meanwhile; it is
  // answered only after that COMMIT, and a refusal rolls back only this push (group-commit.ts).
  const { value } = await groupCommitter(sdb).run(
    device.clinicId,
    async (writer, trx, now) => {
      const { store } = writer;
      const { device: dev, actors } = await store.pushContext(trx, device.id, [...new Set(muts.map((m) => m.actorUserId))]);
      if (!dev || dev.revoked_at || dev.clinic_id !== device.clinicId) throw new PushRefused(403, 'device_revoked', 'This desk is no longer enrolled.');
      const lastSeq = Number(dev.last_seq);
      const first = muts[0]!.seq;
      if (first > lastSeq + 1) {
        throw new PushRefused(409, 'sequence_gap', `The server has mutations up to seq ${lastSeq} from this desk, so the next must be ${lastSeq + 1}, not ${first}. Nothing was applied.`, { expectedSeq: lastSeq + 1 });
      }

      const old = muts.filter((m) => m.seq <= lastSeq);
      const fresh = muts.filter((m) => m.seq > lastSeq);
      const results: MutationResult[] = [];

      if (old.length > 0) {
        const seqs = old.map((m) => m.seq);
        const bySeq = recordedEntries(await store.receipts(trx, device.id, seqs[0]!, seqs[seqs.length - 1]!), seqs);
        for (const m of old) {
          const r = bySeq.get(m.seq);
          if (r && r.id === m.mutationId) {
            results.push({
              status: 'duplicate', mutationId: m.mutationId, seq: m.seq, original: r.code ? 'rejected' : 'applied',
              ...(r.code ? { code: r.code } : {}), ...(r.reason ? { reason: r.reason } : {}), ...(r.field ? { field: r.field } : {}),
            });
          } else {
            results.push({ status: 'rejected', mutationId: m.mutationId, seq: m.seq, code: 'sequence_reused', reason: `Seq ${m.seq} of this desk was already used by another mutation; this one was not applied.` });
          }
        }
      }
      if (fresh.length === 0) return { results, lastSeq };

      // Pass 1 (pure): command, actor, role and schema; collect what the handlers will read.
      const actorById = new Map(actors.map((u) => [u.id, u]));
      const checked = fresh.map((m) => check(m, actorById.get(m.actorUserId), device, registry));
      await writer.prefetch(checked.flatMap((c) => (c.ok && c.handler.reads ? [c.handler.reads(c.input)] : [])));

      // Pass 2: domain rules and effects, in seq order, each in its own layer.
      const entries: ReceiptEntry[] = [];
      for (const [i, m] of fresh.entries()) {
        const c = checked[i]!;
        let outcome: Rejection | null;
        writer.begin();
        if (!c.ok) outcome = c.rejection;
        else {
          const r = await c.handler.apply({ clinicId: device.clinicId, deviceId: device.id, mutationId: m.mutationId, actor: c.actor, now, store: writer }, c.input);
          outcome = r.ok ? null : r.error;
        }
        if (outcome === null) {
          writer.commitLayer();
          results.push({ status: 'applied', mutationId: m.mutationId, seq: m.seq });
        } else {
          writer.discardLayer();
          results.push({ status: 'rejected', mutationId: m.mutationId, seq: m.seq, ...outcome });
          if (NOTICE_CODES.has(outcome.code)) {
            writer.put('notice', m.mutationId, { kind: 'rejected_mutation', deviceId: device.id, actorUserId: m.actorUserId, name: m.name, code: outcome.code, message: outcome.reason, at: now, payload: (m.payload ?? null) as unknown }, m.mutationId);
          }
        }
        entries.push(outcome === null ? { id: m.mutationId, name: m.name, actor: m.actorUserId } : { id: m.mutationId, name: m.name, actor: m.actorUserId, ...outcome });
      }
      const receipt = receiptRow(device.id, device.clinicId, fresh[0]!.seq, entries, now);
      await store.recordPush(trx, receipt, lastSeq);
      return { results, lastSeq: receipt.last_seq };
    },
    { beforeCommit: hooks.beforeCommit, weight: muts.length },
  );
  return value;
}

type Checked =
  | { ok: true; handler: CommandHandler; input: unknown; actor: { id: string; role: Role } }
  | { ok: false; rejection: Rejection };

/** Everything about a mutation that does not depend on the clinic's current state. */
function check(
  m: MutationEnvelope,
  actor: ActorRow | undefined,
  device: AuthedDevice,
  registry: CommandRegistry,
): Checked {
  const handler = registry.get(m.name);
  if (!handler) return { ok: false, rejection: { code: 'unknown_command', reason: `The server does not know the command "${m.name}".` } };
  const role = Role.safeParse(actor?.role);
  if (!actor || !role.success || actor.active !== 1 || (actor.clinic_id !== device.clinicId && role.data !== 'system_admin')) {
    return { ok: false, rejection: { code: 'unknown_actor', reason: 'The user who made this change is not an active user of this clinic.', field: 'actorUserId' } };
  }
  if (!handler.roles.includes(role.data)) return { ok: false, rejection: { code: 'forbidden', reason: `The role ${role.data} may not run ${m.name}.` } };
  const parsed = handler.schema.safeParse(m.payload);
  if (!parsed.success) {
    const issue = zodIssues(parsed.error)[0];
    return { ok: false, rejection: { code: 'invalid_payload', reason: formatZodError(parsed.error), ...(issue ? { field: issue.field } : {}) } };
  }
  return { ok: true, handler, input: parsed.data, actor: { id: actor.id, role: role.data } };
}
