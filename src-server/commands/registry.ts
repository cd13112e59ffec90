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
  reads?(input: z.infer<S>): { entities?: [ChangeEntity, string][]; uniques?: [string, string][] };
}

export type CommandRegistry = ReadonlyMap<string, CommandHandler>;

export function defineCommand<S extends z.ZodType>(h: CommandHandler<S>): CommandHandler {
  return h as unknown as CommandHandler;
}
