import type { z } from 'zod';
import { HttpError, parseInput } from '../http/errors';

/** Refusals of the accounts and console APIs: an HttpError with a message written for a person. */
export const refuse = (status: number, code: string, message: string, field?: string): HttpError =>
  new HttpError(status, code, message, field === undefined ? {} : { field });

/**
 * parseInput, but an unknown field is named itself ("body.surprise: is not a field here") instead
 * of its parent object, so a console form can point at it.
 */
export function parseNamed<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params'): z.infer<S> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) {
    const first = r.error.issues[0];
    if (first?.code === 'unrecognized_keys' && first.keys.length > 0) {
      const field = [where, ...first.path.map(String), first.keys[0]].join('.');
      throw refuse(400, 'invalid_request', `${field}: is not a field here`, field);
    }
  }
  return parseInput(schema, value, where);
}
