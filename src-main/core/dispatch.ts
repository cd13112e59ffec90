import { z } from 'zod';
import { ApiError, CallName, contract, roleHas, type ApiErrorBody, type CallOutput, type CallResult, type ParsedInput, type SessionView } from '../../src-shared/api';
import { zodIssues } from '../../src-shared/schemas/errors';

/** A logged-in person on one client (an Electron window or a browser-host connection). */
export interface CoreSession extends SessionView {
  /** Server tokens etc.: kept in main, never sent to the renderer. */
  readonly secret: { readonly accessToken: string | null };
}

/** One connected UI. Sessions live here, in the core, so the renderer cannot forge one. */
export interface ClientState {
  readonly id: string;
  readonly transport: 'electron' | 'browser-host' | 'test';
  session: CoreSession | null;
}

export interface CallContext {
  readonly client: ClientState;
  /** Present for every call whose permission is not `public`. */
  readonly session: CoreSession;
}

export type Handler<N extends CallName> = (input: ParsedInput<N>, ctx: CallContext) => Promise<CallOutput<N>> | CallOutput<N>;
export type Handlers = { [N in CallName]: Handler<N> };

export interface DispatchLog {
  /** Never given inputs or outputs: they may hold personnummer or secrets. */
  error(event: string, facts: Record<string, string | number | boolean | null>): void;
}

function validationError(error: z.ZodError, prefix = ''): ApiErrorBody {
  const [first] = zodIssues(error);
  const field = first && first.field !== '(root)' ? `${prefix}${first.field}` : undefined;
  const message = first ? `${first.field}: ${first.message}` : 'invalid input';
  return field === undefined ? { code: 'validation', message } : { code: 'validation', message, field };
}

/** Domain errors carry `{code, message, field?}` too; anything else is an internal failure. */
function toErrorBody(e: unknown): ApiErrorBody | null {
  if (e instanceof ApiError) return e.toBody();
  if (e instanceof z.ZodError) return validationError(e);
  if (e && typeof e === 'object' && 'code' in e && 'message' in e && typeof e.code === 'string' && typeof e.message === 'string' && (e as { name?: string }).name !== 'SqliteError') {
    const field = 'field' in e && typeof e.field === 'string' ? e.field : undefined;
    return field === undefined ? { code: e.code, message: e.message } : { code: e.code, message: e.message, field };
  }
  return null;
}

/**
 * The single entry point of every transport: name → permission → input validation → handler →
 * output validation. Unknown names, bad inputs and missing permissions are answered with the
 * error envelope before any handler runs.
 */
export function createDispatcher(handlers: Handlers, log: DispatchLog) {
  return async function invoke(client: ClientState, name: unknown, rawInput: unknown): Promise<CallResult<unknown>> {
    const parsedName = CallName.safeParse(name);
    if (!parsedName.success) return { ok: false, error: { code: 'unknown_call', message: 'There is no such call.' } };
    const call = parsedName.data;
    const spec = contract[call];

    const session = client.session;
    if (session && Date.parse(session.expiresAt) <= Date.now()) client.session = null;
    if (spec.permission !== 'public') {
      if (!client.session) return { ok: false, error: { code: 'unauthenticated', message: 'Log in first.' } };
      if (!roleHas(client.session.user.role, spec.permission)) {
        return { ok: false, error: { code: 'forbidden', message: `Your role may not do this (${spec.permission}).` } };
      }
    }

    const input = spec.input.safeParse(rawInput ?? {});
    if (!input.success) return { ok: false, error: validationError(input.error) };

    let value: unknown;
    try {
      const handler = handlers[call] as (i: unknown, ctx: CallContext) => unknown;
      value = await handler(input.data, { client, session: client.session as CoreSession });
    } catch (e) {
      const body = toErrorBody(e);
      if (body) return { ok: false, error: body };
      log.error('core.call_failed', { call, error: e instanceof Error ? e.name : typeof e, message: e instanceof Error ? e.message.slice(0, 300) : null });
      return { ok: false, error: { code: 'internal', message: 'Something went wrong in the desk core. Nothing you typed was lost; try again.' } };
    }

    const output = spec.output.safeParse(value);
    if (!output.success) {
      log.error('core.bad_output', { call, issue: validationError(output.error).message.slice(0, 300) });
      return { ok: false, error: { code: 'internal', message: 'The desk core produced an answer it could not vouch for.' } };
    }
    return { ok: true, value: output.data };
  };
}
export type Invoke = ReturnType<typeof createDispatcher>;
