import type { z } from 'zod';
import { CONSOLE_API, ConsoleError } from '../../src-shared/schemas/console';

/** A refusal of the console API, with the field it names ("body.reminderFee" → "reminderFee"). */
export class ConsoleApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'kassa.console.token';

export function savedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // a private window without storage keeps the session in memory only
  }
}

let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

/**
 * One call to the console API. The answer is parsed with the schema it must match: the console
 * never renders a shape it did not check.
 */
export async function call<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown): Promise<z.infer<S>> {
  const token = savedToken();
  const res = await fetch(`${CONSOLE_API}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const e = ConsoleError.safeParse(json);
    if (res.status === 401 && token) onUnauthorized();
    throw new ConsoleApiError(res.status, e.success ? e.data.error : 'http_error', e.success ? e.data.message : `HTTP ${res.status}`, e.success && e.data.field ? e.data.field.replace(/^(body|query|params)\./, '') : null);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ConsoleApiError(0, 'bad_answer', 'The server sent an answer the console does not understand.', null);
  return parsed.data;
}

/** The message for a field, if the error names it (or a sub-field of it). */
export function fieldError(error: unknown, field: string): string | undefined {
  if (error instanceof ConsoleApiError && error.field !== null && (error.field === field || error.field.startsWith(`${field}.`))) return error.message;
  return undefined;
}
