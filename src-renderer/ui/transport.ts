import { CALL_NAMES, PRELOAD_GLOBAL, ResponseFrame, type ApiErrorBody, type CallInput, type CallName, type CallOutput, type CallResult, type DeskApi } from '../../src-shared/api';

/** A failed call as the UI sees it: the core's envelope, catchable and translatable. */
export class DeskError extends Error implements ApiErrorBody {
  readonly code: string;
  readonly field?: string;
  constructor(body: ApiErrorBody) {
    super(body.message);
    this.name = 'DeskError';
    this.code = body.code;
    if (body.field !== undefined) this.field = body.field;
  }
}

/** What the Electron preload puts on window: one function per call returning the envelope. */
export type PreloadBridge = { [N in CallName]: (input: CallInput<N>) => Promise<CallResult<CallOutput<N>>> };

type Raw = (call: CallName, input: unknown) => Promise<CallResult<unknown>>;

function fromRaw(raw: Raw): DeskApi {
  const api: Partial<Record<CallName, (input: unknown) => Promise<unknown>>> = {};
  for (const name of CALL_NAMES) {
    api[name] = async (input: unknown) => {
      const result = await raw(name, input ?? {});
      if (!result.ok) throw new DeskError(result.error);
      return result.value;
    };
  }
  return api as DeskApi;
}

const TOKEN_KEY = 'kassa.hostToken';

/** Takes the browser host's token from the URL fragment once, then removes it from the address bar. */
function takeHostToken(): string | null {
  const m = /(?:^#|&)token=([A-Za-z0-9_-]{20,100})/.exec(window.location.hash);
  if (m?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, m[1]);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return m[1];
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

/** The contract over the browser host's WebSocket: authenticates with the token, reconnects on demand. */
function webSocketRaw(): Raw {
  const token = takeHostToken();
  let socket: Promise<WebSocket> | null = null;
  let nextId = 1;
  const waiting = new Map<number, (r: CallResult<unknown>) => void>();

  const fail = (message: string) => {
    for (const [id, resolve] of waiting) {
      waiting.delete(id);
      resolve({ ok: false, error: { code: 'unavailable', message } });
    }
  };

  const connect = (): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      if (!token) return reject(new DeskError({ code: 'unauthenticated', message: 'This page was opened without its access token. Open the address that `npm start` printed.' }));
      const ws = new WebSocket(`${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/api`);
      let ready = false;
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', token }));
      ws.onmessage = (ev: MessageEvent<string>) => {
        let json: unknown;
        try {
          json = JSON.parse(ev.data);
        } catch {
          return;
        }
        if (!ready) {
          if (json && typeof json === 'object' && (json as { type?: unknown }).type === 'ready') {
            ready = true;
            resolve(ws);
          }
          return;
        }
        const frame = ResponseFrame.safeParse(json);
        if (!frame.success) return;
        const done = waiting.get(frame.data.id);
        if (!done) return;
        waiting.delete(frame.data.id);
        done(frame.data.ok ? { ok: true, value: frame.data.value } : { ok: false, error: frame.data.error });
      };
      ws.onclose = (ev) => {
        socket = null;
        if (!ready) reject(new DeskError({ code: ev.code === 4401 ? 'unauthenticated' : 'unavailable', message: 'The desk core did not accept the connection.' }));
        fail('The connection to the desk core was lost. Try again.');
      };
    });

  return async (call, input) => {
    socket ??= connect();
    let ws: WebSocket;
    try {
      ws = await socket;
    } catch (e) {
      socket = null;
      return { ok: false, error: e instanceof DeskError ? { code: e.code, message: e.message } : { code: 'unavailable', message: 'The desk core is not reachable.' } };
    }
    const id = nextId++;
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, call, input }));
    });
  };
}

/** Electron's preload when present (window.kassa), otherwise the browser host's WebSocket. */
export function createTransport(): { api: DeskApi; kind: 'electron' | 'websocket' } {
  const bridge = (window as unknown as Record<string, unknown>)[PRELOAD_GLOBAL] as PreloadBridge | undefined;
  if (bridge && typeof bridge === 'object') {
    const raw: Raw = (call, input) => (bridge[call] as (i: unknown) => Promise<CallResult<unknown>>)(input);
    return { api: fromRaw(raw), kind: 'electron' };
  }
  return { api: fromRaw(webSocketRaw()), kind: 'websocket' };
}
