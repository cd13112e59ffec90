import { z } from 'zod';
import { ApiError } from '../../../src-shared/api';
import { AccountView } from '../../../src-shared/schemas/accounts';
import { ApiError as ServerApiError, PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../../src-shared/sync/protocol';
import type { CoreDeps } from '../deps';
import type { CoreSession, Handlers } from '../dispatch';

/**
 * User management is server-authoritative (issue 6): the desk calls the server's account API with
 * the logged-in person's own session, so the server applies the permission table again.
 */
async function asUser(deps: CoreDeps, session: CoreSession, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  if (!deps.serverUrl) throw new ApiError('unavailable', 'No sync server is configured for this desk.');
  if (!session.secret.accessToken) throw new ApiError('unavailable', 'Managing users needs a login made while the server was reachable.');
  let res: Response;
  try {
    res = await fetch(`${deps.serverUrl}${path}`, {
      method,
      headers: {
        [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
        authorization: `Bearer ${session.secret.accessToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    throw new ApiError('unavailable', 'The sync server cannot be reached; users can be managed when it is back.');
  }
  const json: unknown = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const e = ServerApiError.safeParse(json);
    const message = e.success ? e.data.message : `The server answered ${res.status}.`;
    if (res.status === 401) throw new ApiError('unauthenticated', message);
    if (res.status >= 500) throw new ApiError('unavailable', message);
    const field = e.success ? e.data.field?.replace(/^(body|params)\./, '') : undefined;
    throw new ApiError(e.success && e.data.error !== 'invalid_request' ? e.data.error : 'validation', message, field);
  }
  return json;
}

const OneUser = z.object({ user: AccountView });

export function userHandlers(deps: CoreDeps): Pick<Handlers, 'users.list' | 'users.create' | 'users.update' | 'users.reset' | 'users.remove'> {
  return {
    'users.list': async (input, ctx) => {
      const q = input.search ? `?search=${encodeURIComponent(input.search)}` : '';
      return z.object({ users: z.array(AccountView) }).parse(await asUser(deps, ctx.session, 'GET', `/v1/accounts/users${q}`)).users;
    },
    'users.create': async (input, ctx) => {
      const clinicId = ctx.session.user.clinicId ?? ctx.session.clinic?.id ?? null;
      if (!clinicId) throw new ApiError('forbidden', 'Users are added to the clinic of this desk.');
      return OneUser.parse(await asUser(deps, ctx.session, 'POST', '/v1/accounts/users', { ...input, clinicId })).user;
    },
    'users.update': async (input, ctx) => OneUser.parse(await asUser(deps, ctx.session, 'PATCH', `/v1/accounts/users/${input.userId}`, input.patch)).user,
    'users.reset': async (input, ctx) =>
      z.object({ password: z.string().nullable(), pin: z.string().nullable() }).parse(await asUser(deps, ctx.session, 'POST', `/v1/accounts/users/${input.userId}/reset`, input.reset)),
    'users.remove': async (input, ctx) => {
      await asUser(deps, ctx.session, 'DELETE', `/v1/accounts/users/${input.userId}`);
      return { ok: true as const };
    },
  };
}
