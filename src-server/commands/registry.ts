import type { z } from 'zod';
import type { Result } from '../../src-shared/domain/result';
import type { Role } from '../../src-shared/schemas/enums';
import type { ChangeEntity, RejectCode } from '../../src-shared/sync/protocol';
import type { ClinicWriter } from '../sync/clinic-writer';

export interface Rejection {
  code: RejectCode;
  reason: string;
  field?: string;
}

export interface CommandContext {
  readonly clinicId: string;
  readonly deviceId: string;
  readonly mutationId: string;
  readonly actor: { readonly id: string; readonly role: Role };
  /** Server time of the push: every timestamp the server writes comes from here. */
  readonly now: string;
  readonly store: ClinicWriter;
}

/**
 * One named command: its payload schema (from src-shared/schemas/commands), who may run it, and
 * its effects. `apply` stages writes through ctx.store; a rejection discards them.
 */
export interface CommandHandler<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  readonly roles: readonly Role[];
  apply(ctx: CommandContext, input: z.infer<S>): Promise<Result<void, Rejection>>;
  /** What `apply` will look up, so a batch can read it all in one query (an optimisation only). */
  reads?(input: z.infer<S>): Reads;
}

/**
 * The lookups of a command, declared ahead (ClinicWriter.prefetch). `entities` and `uniques` are
 * read. `creates` and `claims` are the new ids and keys the command makes (an id or a number the
 * desk generated): where the store can check them with the insert itself (PostgreSQL's unique
 * constraints), they are not read but taken as absent, and a conflict makes the push run again
 * with everything read. Any declaration may be wrong or missing without changing an outcome;
 * it only costs a read.
 */
export interface Reads {
  entities?: [ChangeEntity, string][];
  uniques?: [string, string][];
  creates?: [ChangeEntity, string][];
  claims?: [string, string][];
}

export type CommandRegistry = ReadonlyMap<string, CommandHandler>;

export function defineCommand<S extends z.ZodType>(h: CommandHandler<S>): CommandHandler {
  return h as unknown as CommandHandler;
}
