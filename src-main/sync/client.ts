import type { z } from 'zod';
import {
  ApiError, EnrolResponse, PROTOCOL_HEADER, PROTOCOL_VERSION, PullPage, PushResponse, SyncEvent, type PushRequest,
} from '../../src-shared/sync/protocol';
import { ActivityPushAck, type ActivityPush } from '../../src-shared/schemas/activity';
import { formatZodError } from '../../src-shared/schemas/errors';
import { asciiJson } from '../../src-shared/sync/ascii-json';

/** A failed call: `status` 0 means the server could not be reached at all. */
export class SyncHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: ApiError | null = null,
  ) {
    super(message);
    this.name = 'SyncHttpError';
  }

  /** Worth retrying later (network, 5xx, 429); a 4xx is a refusal a person must see. */
  get transient(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429 || this.status === 408;
  }
}

const TIMEOUT_MS = 30_000;

async function call<S extends z.ZodType>(url: string, init: RequestInit, schema: S): Promise<z.infer<S>> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    throw new SyncHttpError(0, 'unreachable', `The sync server cannot be reached (${e instanceof Error ? e.message : String(e)}).`);
  }
  const text = await res.text().catch(() => '');
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // handled below: a non-JSON answer is an error either way
  }
  if (!res.ok) {
    const body = ApiError.safeParse(json);
    const msg = body.success ? body.data.message : `The sync server answered ${res.status}.`;
    throw new SyncHttpError(res.status, body.success ? body.data.error : 'http_error', msg, body.success ? body.data : null);
  }
  // The server is outside input too: parse its answer before trusting it.
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new SyncHttpError(502, 'bad_response', `The sync server sent an unexpected answer: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

export class SyncClient {
  constructor(
    private readonly baseUrl: string,
    private readonly authorization: () => Promise<string>,
  ) {}

  private async headers(json: boolean): Promise<Record<string, string>> {
    return {
      [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
      authorization: await this.authorization(),
      ...(json ? { 'content-type': 'application/json' } : {}),
    };
  }

  async push(body: PushRequest): Promise<PushResponse> {
    return call(`${this.baseUrl}/v1/sync/push`, { method: 'POST', headers: await this.headers(true), body: asciiJson(body) }, PushResponse);
  }

  /** Uploads a slice of this desk's activity chain; 409 when it does not continue the stored chain. */
  async pushActivity(body: ActivityPush): Promise<ActivityPushAck> {
    return call(`${this.baseUrl}/v1/activity/push`, { method: 'POST', headers: await this.headers(true), body: JSON.stringify(body) }, ActivityPushAck);
  }

  async pull(cursor: number, limit: number): Promise<PullPage> {
    return call(`${this.baseUrl}/v1/sync/pull?cursor=${cursor}&limit=${limit}`, { method: 'GET', headers: await this.headers(false) }, PullPage);
  }

  /**
   * Listens to the server's SSE stream until it ends or `signal` aborts. Resolves when the stream
   * closes; rejects when it cannot be opened.
   */
  async listen(signal: AbortSignal, onEvent: (e: SyncEvent) => void): Promise<void> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}/v1/sync/events`, { headers: { ...(await this.headers(false)), accept: 'text/event-stream' }, signal });
    } catch (e) {
      throw new SyncHttpError(0, 'unreachable', `The sync server cannot be reached (${e instanceof Error ? e.message : String(e)}).`);
    }
    if (!res.ok || !res.body) {
      const body = ApiError.safeParse(await res.json().catch(() => null));
      throw new SyncHttpError(res.status, body.success ? body.data.error : 'http_error', body.success ? body.data.message : `Events answered ${res.status}.`);
    }
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trim())
            .join('\n');
          if (!data) continue;
          try {
            const ev = SyncEvent.safeParse(JSON.parse(data));
            if (ev.success) onEvent(ev.data);
          } catch {
            // a garbled event is ignored; the periodic pull still catches up
          }
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      throw e;
    } finally {
      reader.releaseLock();
    }
  }
}

export async function requestEnrolment(baseUrl: string, code: string, deviceName: string): Promise<EnrolResponse> {
  return call(
    `${baseUrl}/v1/enrol`,
    { method: 'POST', headers: { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION), 'content-type': 'application/json' }, body: JSON.stringify({ code, deviceName }) },
    EnrolResponse,
  );
}
