import { networkInterfaces } from 'node:os';
import { ApiError, type ApiErrorBody, type BankIdLoginStatus, type BankIdProgress, type SessionView } from '../../src-shared/api';
import type { Language } from '../../src-shared/schemas/enums';
import { createBankIdClient, startBankIdLogin, type BankIdClient, type BankIdLoginFlow, type BankIdLoginResult } from '../integrations/bankid';
import type { CoreDeps } from './deps';
import type { ClientState } from './dispatch';

/**
 * The desk's BankID login (issue 6): main runs the RP flow with the certificate from the keychain,
 * the renderer polls what to draw, and a completed order is turned into a session by the caller's
 * `logIn` (the sync server maps the personnummer to a user). One flow per desk: there is one BankID
 * app per computer, and a forgotten order must not be completed by the next person at the desk.
 */

export interface BankIdCompletion {
  readonly orderRef: string;
  readonly personalNumber: string;
}

/** What a finished attempt leaves in the activity chain; never the personnummer or the orderRef. */
export interface BankIdAttemptRecord {
  readonly outcome: 'ok' | 'failed' | 'refused';
  readonly why: string;
}

export interface DeskBankIdOptions {
  readonly deps: CoreDeps;
  /** Logs the identified person in at the server and sets the client's session (or throws ApiError). */
  logIn(client: ClientState, completion: BankIdCompletion): Promise<SessionView>;
  /** Failed and refused attempts (successful ones are recorded by the login itself). */
  record(attempt: BankIdAttemptRecord): Promise<void>;
  log(event: string, facts: Record<string, string | number | boolean | null>): void;
  /** Faster polling for tests; BankID's own pace otherwise. */
  collectIntervalMs?: number;
}

interface Attempt {
  readonly client: ClientState;
  readonly sameDevice: boolean;
  readonly flow: BankIdLoginFlow;
  status: BankIdLoginStatus;
  session: SessionView | null;
  error: ApiErrorBody | null;
}

/** Where BankID should believe the user is: this computer's first outside-facing IPv4 address. */
export function deskIpAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

const NEEDS_SERVER = 'BankID login needs the sync server, and it cannot be reached right now. Log in with username, password and PIN instead.';

/** The relying-party client, from the keychain (certificate, passphrase) and the settings (URL, CA). */
async function bankIdClient(deps: CoreDeps): Promise<BankIdClient> {
  const settings = deps.settings.readOrDefaults().bankid;
  const [p12, passphrase] = await Promise.all([deps.secrets.get('bankid.p12'), deps.secrets.get('bankid.passphrase')]);
  if (!p12 || passphrase === null || !settings.caPem) {
    throw new ApiError('bankid_not_configured', 'BankID is not set up on this desk (the relying-party certificate in the keychain and the BankID CA in the settings).');
  }
  const created = createBankIdClient({ baseUrl: settings.baseUrl, pfx: Buffer.from(p12, 'base64'), passphrase, ca: settings.caPem, timeoutMs: settings.timeoutMs });
  if (!created.ok) throw new ApiError('bankid_not_configured', created.error.message);
  return created.value;
}

/**
 * The client with its calls counted, so it is closed only once idle: the flow's last /cancel (and an
 * /auth still answering after an early abort) must reach BankID, or the order stays open there.
 */
function closingWhenIdle(client: BankIdClient): { client: BankIdClient; closeWhenIdle(): Promise<void> } {
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };
  return {
    client: {
      auth: (input, signal) => track(client.auth(input, signal)),
      sign: (input, signal) => track(client.sign(input, signal)),
      collect: (orderRef, signal) => track(client.collect(orderRef, signal)),
      cancel: (orderRef, signal) => track(client.cancel(orderRef, signal)),
      close: () => client.close(),
    },
    async closeWhenIdle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      client.close();
    },
  };
}

/** A BankID order the server cannot turn into a login is wasted on the person: ask first. */
async function assertServerReachable(deps: CoreDeps): Promise<void> {
  if (!deps.serverUrl || !deps.sync?.identity().deviceId) throw new ApiError('bankid_needs_server', NEEDS_SERVER);
  try {
    const res = await fetch(`${deps.serverUrl}/health`, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) throw new Error(`health ${res.status}`);
  } catch {
    throw new ApiError('bankid_needs_server', NEEDS_SERVER);
  }
}

export class DeskBankId {
  private attempt: Attempt | null = null;

  constructor(private readonly options: DeskBankIdOptions) {}

  async start(client: ClientState, input: { sameDevice: boolean; language: Language }): Promise<BankIdProgress> {
    this.cancelCurrent();
    await assertServerReachable(this.options.deps);
    const { client: bankid, closeWhenIdle } = closingWhenIdle(await bankIdClient(this.options.deps));
    // Another start may have raced in while we checked: the newest one wins.
    this.cancelCurrent();
    const flow = startBankIdLogin({
      client: bankid,
      endUserIp: deskIpAddress(),
      language: input.language,
      sameDevice: input.sameDevice,
      ...(this.options.collectIntervalMs ? { collectIntervalMs: this.options.collectIntervalMs } : {}),
    });
    const attempt: Attempt = { client, sameDevice: input.sameDevice, flow, status: 'pending', session: null, error: null };
    this.attempt = attempt;
    void flow.result
      .then((result) => this.settle(attempt, result))
      .catch((e: unknown) => this.options.log('bankid.settle_failed', { message: e instanceof Error ? e.message : String(e) }))
      .finally(() => void closeWhenIdle());
    return this.view(attempt);
  }

  /** Only the window that started the flow sees it. */
  progress(client: ClientState): BankIdProgress | null {
    const a = this.attempt;
    return a && a.client.id === client.id ? this.view(a) : null;
  }

  cancel(client: ClientState): void {
    if (this.attempt?.client.id === client.id) this.cancelCurrent();
  }

  /** Logout: the finished attempt (and the session view it holds) is not shown to the next person. */
  forget(client: ClientState): void {
    if (this.attempt?.client.id !== client.id) return;
    this.cancelCurrent();
    this.attempt = null;
  }

  close(): void {
    this.cancelCurrent();
  }

  private cancelCurrent(): void {
    const a = this.attempt;
    if (a && a.status === 'pending') a.flow.cancel();
  }

  private view(a: Attempt): BankIdProgress {
    return { ...a.flow.current(), status: a.status, sameDevice: a.sameDevice, session: a.session, error: a.error };
  }

  private async settle(a: Attempt, result: BankIdLoginResult): Promise<void> {
    // Recorded before the renderer can see the end, so what it sees has its record.
    if (result.status === 'failed') {
      await this.safeRecord({ outcome: 'failed', why: result.hintCode });
      a.status = result.source === 'aborted' ? 'cancelled' : 'failed';
      return;
    }
    a.status = 'logging_in';
    try {
      a.session = await this.options.logIn(a.client, { orderRef: result.orderRef, personalNumber: result.personalNumber });
      a.status = 'logged_in';
    } catch (e) {
      const error = refusal(e);
      // The server keeps its own record of its refusals; the desk's chain says what the desk saw.
      await this.safeRecord({ outcome: 'refused', why: error.code });
      a.error = error;
      a.status = 'refused';
    }
  }

  private async safeRecord(attempt: BankIdAttemptRecord): Promise<void> {
    try {
      await this.options.record(attempt);
    } catch (e) {
      this.options.log('bankid.record_failed', { message: e instanceof Error ? e.message : String(e) });
    }
  }
}

/** The server's refusal as the renderer gets it; a BankID login has no password to blame. */
function refusal(e: unknown): ApiErrorBody {
  if (e instanceof ApiError) {
    if (e.code === 'unreachable') return { code: 'bankid_needs_server', message: NEEDS_SERVER };
    if (e.code === 'invalid_credentials') {
      return { code: 'bankid_account_refused', message: 'BankID identified you, but your account may not log in at this desk (it may be disabled). Ask your clinic administrator.' };
    }
    return e.toBody();
  }
  return { code: 'internal', message: 'The BankID login could not be finished. Try again.' };
}
