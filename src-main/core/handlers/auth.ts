import { ApiError, type SessionView } from '../../../src-shared/api';
import type { BankIdDeskLogin } from '../../../src-shared/schemas/accounts';
import { User, type User as UserEntity } from '../../../src-shared/schemas/entities';
import { deviceAuthorization, PROTOCOL_HEADER, PROTOCOL_VERSION, SessionTokens, ApiError as ServerApiError, type LoginRequest } from '../../../src-shared/sync/protocol';
import { appendActivity } from '../../db/activity-chain';
import { createInvoiceSeries, deviceSeries } from '../../services/invoice-series';
import type { CoreDeps } from '../deps';
import { feedEntity } from '../deps';
import { verifyOffline } from '../offline-login';
import { DeskBankId, type BankIdAttemptRecord } from '../bankid-login';
import type { ClientState, Handlers } from '../dispatch';

/** How long a desk session lasts without activity being re-checked (the server's access TTL rules online). */
const SESSION_MS = 12 * 3600_000;

async function serverLogin(deps: CoreDeps, body: unknown): Promise<SessionTokens> {
  const json = await postAsDevice(deps, '/v1/auth/login', body);
  const tokens = SessionTokens.safeParse(json);
  if (!tokens.success) throw new ApiError('unavailable', 'The sync server sent an unexpected login answer.');
  return tokens.data;
}

/** A device-authenticated call to the server's account routes, with its refusals mapped for the desk. */
async function postAsDevice(deps: CoreDeps, path: string, body: unknown): Promise<unknown> {
  if (!deps.sync || !deps.serverUrl) throw new ApiError('unavailable', 'No sync server is configured for this desk, so nobody can log in yet.');
  const { deviceId } = deps.sync.identity();
  const credential = await deps.secrets.get('device.credential');
  if (!deviceId || !credential) throw new ApiError('unavailable', 'This desk is not enrolled with a sync server yet.');
  let res: Response;
  try {
    res = await fetch(`${deps.serverUrl}${path}`, {
      method: 'POST',
      headers: { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION), 'x-kassa-device': deviceAuthorization(deviceId, credential), 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    // Offline login with synced verifiers arrives with the accounts issue (6).
    throw new ApiError('unreachable', 'The sync server cannot be reached.');
  }
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const e = ServerApiError.safeParse(json);
    const message = e.success ? e.data.message : `The server answered ${res.status}.`;
    if (res.status === 401) throw new ApiError('invalid_credentials', e.success ? e.data.message : 'Wrong username, password or PIN.');
    if (res.status === 423 || res.status === 429) throw new ApiError('locked_out', e.success ? e.data.message : 'Too many attempts.');
    if (res.status >= 500) throw new ApiError('unavailable', message);
    // The server's refusals are machine-readable (password_change_required, country_refused,
    // clinic_inactive, ...): passed on as they are, for the desk to translate.
    const field = e.success ? e.data.field?.replace(/^body\./, '') : undefined;
    throw new ApiError(e.success && e.data.error !== 'invalid_request' ? e.data.error : 'validation', message, field);
  }
  return json;
}

/** The user as the change feed carried it; pulls once if this desk has not seen the user yet. */
async function feedUser(deps: CoreDeps, userId: string) {
  let raw = feedEntity(deps, 'user', userId);
  if (!raw && deps.sync) {
    await deps.sync.syncOnce().catch(() => undefined);
    raw = feedEntity(deps, 'user', userId);
  }
  const parsed = User.safeParse(raw);
  if (!parsed.success) throw new ApiError('unavailable', 'This desk has not received your user account from the server yet; try again in a moment.');
  return parsed.data;
}

/** Each desk issues from its own invoice series (invariant 6); given on the first login if enrolment did not. */
async function ensureSeries(deps: CoreDeps, actor: { userId: string; clinicId: string; role: 'staff' | 'clinic_admin' | 'system_admin'; deviceId: string }, series: { prefix: string; ocrCode: number } | null) {
  if (await deviceSeries(deps.store.db, actor)) return;
  if (!series) return;
  await createInvoiceSeries(deps.store, actor, series);
}

type AuthCall = 'auth.login' | 'auth.changeSecret' | 'auth.logout' | 'auth.session' | 'auth.bankidStart' | 'auth.bankidProgress' | 'auth.bankidCancel';

export interface AuthOptions {
  readonly series: { prefix: string; ocrCode: number } | null;
  readonly log: (event: string, facts: Record<string, string | number | boolean | null>) => void;
  /** Faster BankID collects for tests. */
  readonly bankidCollectMs?: number;
}

export function authHandlers(deps: CoreDeps, { series, log, bankidCollectMs }: AuthOptions): { handlers: Pick<Handlers, AuthCall>; bankid: DeskBankId } {
  async function refused(input: LoginRequest, offline: boolean): Promise<void> {
    const { deviceId, clinicId } = deps.sync?.identity() ?? { deviceId: null, clinicId: null };
    if (!deviceId || !clinicId) return;
    await appendActivity(deps.store.db, deviceId, {
      clinicId, actorUserId: null, action: 'auth.login', subject: `username:${input.username}`, outcome: 'refused', country: null, ip: null, details: { method: input.method, offline },
    });
  }

  /** A BankID attempt that ended without a session, in this desk's own chain (who is unknown). */
  async function bankIdRecord(attempt: BankIdAttemptRecord): Promise<void> {
    const { deviceId, clinicId } = deps.sync?.identity() ?? { deviceId: null, clinicId: null };
    if (!deviceId || !clinicId) return;
    await appendActivity(deps.store.db, deviceId, {
      clinicId, actorUserId: null, action: 'auth.login', subject: null, outcome: attempt.outcome, country: null, ip: null, details: { method: 'bankid', offline: false, why: attempt.why },
    });
  }

  /** The session, once the server (or, offline, the synced verifier) said yes. */
  async function finish(method: SessionView['method'], client: ClientState, user: UserEntity, accessToken: string | null, offlineUntil: string | null): Promise<SessionView> {
    const deviceId = deps.sync?.identity().deviceId ?? null;
    const clinicRaw = user.clinicId ? feedEntity(deps, 'clinic', user.clinicId) : null;
    const expires = Date.now() + SESSION_MS;
    const view: SessionView = {
      user: { id: user.id, username: user.username, displayName: user.displayName, role: user.role, language: user.language, clinicId: user.clinicId },
      clinic: clinicRaw && typeof clinicRaw.id === 'string' && typeof clinicRaw.name === 'string' ? { id: clinicRaw.id, name: clinicRaw.name } : null,
      method,
      offline: offlineUntil !== null,
      expiresAt: new Date(offlineUntil ? Math.min(expires, Date.parse(offlineUntil)) : expires).toISOString(),
    };
    client.session = { ...view, secret: { accessToken } };
    if (deviceId && user.clinicId) {
      const actor = { userId: user.id, clinicId: user.clinicId, role: user.role, deviceId };
      await ensureSeries(deps, actor, series);
      await appendActivity(deps.store.db, deviceId, {
        clinicId: user.clinicId, actorUserId: user.id, action: 'auth.login', subject: `user:${user.id}`, outcome: 'ok', country: null, ip: null,
        details: { method, offline: offlineUntil !== null },
      });
    }
    return view;
  }

  async function logIn(input: LoginRequest, client: ClientState): Promise<SessionView> {
    const clinicId = deps.sync?.identity().clinicId ?? null;
    let tokens: SessionTokens;
    try {
      tokens = await serverLogin(deps, input);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'unreachable') {
        if (!clinicId) throw new ApiError('unavailable', 'The sync server cannot be reached.');
        // The server is away: verify against the clinic's synced verifiers (issue 6 offline login).
        let verifier;
        try {
          verifier = await verifyOffline(deps, clinicId, input.username, input.password, input.pin);
        } catch (offline) {
          if (offline instanceof ApiError && offline.code === 'offline_invalid_credentials') await refused(input, true);
          throw offline;
        }
        const user = User.safeParse(feedEntity(deps, 'user', verifier.userId));
        if (!user.success) throw new ApiError('unavailable', 'The sync server cannot be reached, and this desk does not know the account yet.');
        return finish(input.method, client, user.data, null, verifier.offlineUntil);
      }
      if (e instanceof ApiError && e.code === 'invalid_credentials') await refused(input, false);
      throw e;
    }
    return finish(input.method, client, await feedUser(deps, tokens.userId), tokens.accessToken, null);
  }

  // BankID proves the person; the server decides who that is at this clinic (src-server/accounts/desk-login.ts).
  const bankid = new DeskBankId({
    deps,
    log,
    record: bankIdRecord,
    ...(bankidCollectMs ? { collectIntervalMs: bankidCollectMs } : {}),
    async logIn(client, completion) {
      const claim: BankIdDeskLogin = { method: 'bankid', orderRef: completion.orderRef, personalNumber: completion.personalNumber };
      const tokens = await serverLogin(deps, claim);
      return finish('bankid', client, await feedUser(deps, tokens.userId), tokens.accessToken, null);
    },
  });

  const handlers: Pick<Handlers, AuthCall> = {
    'auth.login': (input, ctx) => logIn(input, ctx.client),
    'auth.bankidStart': (input, ctx) => bankid.start(ctx.client, input),
    'auth.bankidProgress': (_input, ctx) => bankid.progress(ctx.client),
    'auth.bankidCancel': (_input, ctx) => {
      bankid.cancel(ctx.client);
      return { ok: true as const };
    },
    'auth.changeSecret': async (input, ctx) => {
      await postAsDevice(deps, '/v1/auth/password', input);
      return logIn({ method: 'password', username: input.username, password: input.newPassword, pin: input.newPin ?? input.pin }, ctx.client);
    },
    'auth.logout': async (_input, ctx) => {
      const s = ctx.client.session;
      ctx.client.session = null;
      bankid.forget(ctx.client);
      if (s?.secret.accessToken && deps.serverUrl) {
        await fetch(`${deps.serverUrl}/v1/auth/logout`, {
          method: 'POST', headers: { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION), authorization: `Bearer ${s.secret.accessToken}` }, signal: AbortSignal.timeout(5000),
        }).catch(() => undefined);
      }
      return { ok: true as const };
    },
    'auth.session': (_input, ctx) => {
      const s = ctx.client.session;
      if (!s) return null;
      const { secret: _secret, ...view } = s;
      return view;
    },
  };
  return { handlers, bankid };
}
