import type { z } from 'zod';
import { zodIssues } from '../../src-shared/schemas/errors';
import type { ActivityInput } from '../../src-shared/schemas/activity';
import { appendServerActivity } from '../accounts/activity';
import { accountsDb } from '../accounts/schema';
import type { ServerDb } from '../db/connect';
import type { Executor } from '../sync/clinic-writer';

/** What a webhook handler answers; the route sends it as is. */
export interface HookReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export const refusal = (status: number, error: string, message: string, field?: string): HookReply => ({
  status,
  body: field === undefined ? { error, message } : { error, message, field },
});

const MAX_FIELDS = 64;

/**
 * Reads an application/x-www-form-urlencoded body into single string values and validates it. A
 * repeated field, too many fields or a failed schema is a 400 that names the field.
 */
export function parseForm<S extends z.ZodType>(schema: S, raw: string): { ok: true; form: Record<string, string>; value: z.infer<S> } | { ok: false; reply: HookReply } {
  const form: Record<string, string> = {};
  let count = 0;
  for (const [k, v] of new URLSearchParams(raw)) {
    if (++count > MAX_FIELDS) return { ok: false, reply: refusal(400, 'invalid_request', `body: more than ${MAX_FIELDS} fields`, 'body') };
    if (Object.hasOwn(form, k)) return { ok: false, reply: refusal(400, 'invalid_request', `body.${k}: appears more than once`, `body.${k}`) };
    form[k] = v;
  }
  const r = schema.safeParse(form);
  if (!r.success) {
    const issues = zodIssues(r.error);
    const first = issues[0];
    return {
      ok: false,
      reply: refusal(400, 'invalid_request', issues.slice(0, 5).map((i) => `body.${i.field}: ${i.message}`).join('; '), first ? `body.${first.field}` : 'body'),
    };
  }
  return { ok: true, form, value: r.data as z.infer<S> };
}

/**
 * A webhook activity record on the server's chain. Callers pass facts only: never a secret, a
 * digest or a signature (a digest is derived from the secret and would let someone test guesses).
 */
export async function hookActivity(sdb: ServerDb, input: Omit<ActivityInput, 'actorUserId' | 'country'>, trx?: Executor): Promise<void> {
  await appendServerActivity(sdb, { ...input, actorUserId: null, country: null }, trx ? accountsDb(trx) : undefined);
}
