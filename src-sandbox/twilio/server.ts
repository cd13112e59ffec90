import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import twilio from 'twilio';
import { z } from 'zod';
import { basicAuth, CONTROL_PREFIX, createSimServer, parseControl, sendProviderError, type SimServer } from '../common/sim-server';
import { rfc2822 } from '../common/time';
import { AccountInput, AdvanceInput, LifecycleInput, MessagesQuery, NextOutcomeInput, OptOutInput } from './control-schemas';
import { twilioError, twilioHttpError } from './errors';
import { countSegments } from './segments';

export const API_VERSION = '2010-04-01';
/** Made-up credentials in Twilio's formats (AC + 32 hex, 32-hex token). */
export const DEMO_ACCOUNT = { accountSid: `AC${'5a4d'.padEnd(32, '0')}`, authToken: '5a4db0c5a4db0c5a4db0c5a4db0c5a4d' };

type Status = 'accepted' | 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed';
const TERMINAL: ReadonlySet<Status> = new Set(['delivered', 'undelivered', 'failed']);
const ORDER: Record<Status, number> = { accepted: 0, queued: 1, sending: 2, sent: 3, delivered: 4, undelivered: 4, failed: 4 };

interface PlannedOutcome {
  status: 'delivered' | 'undelivered' | 'failed';
  errorCode?: number;
}

export interface StatusCallbackAttempt {
  at: string;
  url: string;
  params: Record<string, string>;
  signature: string;
  responseStatus?: number;
  error?: string;
}

export interface SimMessage {
  sid: string;
  accountSid: string;
  from: string | null;
  to: string;
  body: string;
  status: Status;
  messagingServiceSid: string | null;
  statusCallback: string | null;
  numSegments: number;
  dateCreated: string;
  dateUpdated: string;
  dateSent: string | null;
  errorCode: number | null;
  price: string | null;
  planned: PlannedOutcome;
  callbacks: StatusCallbackAttempt[];
}

export interface TwilioSimOptions {
  /** auto (default): messages walk to their outcome by themselves every stepMs. */
  lifecycle?: 'auto' | 'manual';
  stepMs?: number;
}

export interface TwilioSim extends SimServer {
  messages: Map<string, SimMessage>;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
const MAX_BODY = 1600;

/** Form fields the create endpoint reads; repeated or non-string values are refused. */
const CreateForm = z.object({
  To: z.string().max(64).optional(),
  From: z.string().max(64).optional(),
  MessagingServiceSid: z.string().max(64).optional(),
  Body: z.string().max(64 * 1024).optional(),
  StatusCallback: z.string().max(2048).optional(),
  MediaUrl: z.union([z.string(), z.array(z.string())]).optional(),
  ContentSid: z.string().max(64).optional(),
});

const ListQuery = z.object({
  To: z.string().max(64).optional(),
  From: z.string().max(64).optional(),
  DateSent: z.string().max(40).optional(),
  'DateSent<': z.string().max(40).optional(),
  'DateSent>': z.string().max(40).optional(),
  PageSize: z.coerce.number().int().min(1).max(1000).default(50),
  Page: z.coerce.number().int().min(0).max(100_000).default(0),
  PageToken: z.string().max(100).optional(),
});

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** "YYYY-MM-DD" or an ISO date-time (the SDK sends "YYYY-MM-DDTHH:mm:ssZ"). */
function parseDateFilter(value: string): { at: Date; dateOnly: boolean } | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return { at: new Date(`${value}T00:00:00Z`), dateOnly: true };
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : { at, dateOnly: false };
}

export function createTwilioSim(opts: TwilioSimOptions = {}): TwilioSim {
  const accounts = new Map<string, string>();
  const messages = new Map<string, SimMessage>();
  const nextOutcomes = new Map<string, NextOutcomeInput[]>();
  const optedOut = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const lifecycle = { mode: opts.lifecycle ?? 'auto', stepMs: opts.stepMs ?? 250 };

  const reset = () => {
    accounts.clear();
    accounts.set(DEMO_ACCOUNT.accountSid, DEMO_ACCOUNT.authToken);
    messages.clear();
    nextOutcomes.clear();
    optedOut.clear();
    for (const t of timers) clearTimeout(t);
    timers.clear();
    lifecycle.mode = opts.lifecycle ?? 'auto';
    lifecycle.stepMs = opts.stepMs ?? 250;
  };
  reset();

  const sim = createSimServer({
    name: 'twilio',
    bodyLimit: 128 * 1024,
    renderError: twilioHttpError,
    state: () => ({
      accounts: [...accounts.keys()],
      lifecycle,
      messages: [...messages.values()],
      nextOutcomes: Object.fromEntries(nextOutcomes),
      optedOut: [...optedOut],
    }),
    reset,
  });
  const { app } = sim;

  const base = `/${API_VERSION}/Accounts`;

  // ---------- auth: HTTP Basic AccountSid:AuthToken, and the path's account must be the caller's ----------
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith(`${base}/`)) return;
    const auth = basicAuth(request);
    const pathAccount = request.url.slice(base.length + 1).split(/[/?]/)[0];
    if (!auth || accounts.get(auth.username) !== auth.password || pathAccount !== auth.username) {
      sendProviderError(reply, twilioHttpError(401, 'Authenticate'));
      return reply;
    }
  });

  const fail = (reply: FastifyReply, status: number, code: number, message: string) => sendProviderError(reply, twilioError(status, code, message));

  function resource(m: SimMessage) {
    const uri = `${base}/${m.accountSid}/Messages/${m.sid}.json`;
    return {
      account_sid: m.accountSid,
      api_version: API_VERSION,
      body: m.body,
      date_created: m.dateCreated,
      date_sent: m.dateSent,
      date_updated: m.dateUpdated,
      direction: 'outbound-api',
      error_code: m.errorCode,
      error_message: null,
      from: m.from,
      messaging_service_sid: m.messagingServiceSid,
      num_media: '0',
      num_segments: String(m.numSegments),
      price: m.price,
      price_unit: 'USD',
      sid: m.sid,
      status: m.status,
      subresource_uris: {
        media: `${base}/${m.accountSid}/Messages/${m.sid}/Media.json`,
        feedback: `${base}/${m.accountSid}/Messages/${m.sid}/Feedback.json`,
      },
      to: m.to,
      uri,
    };
  }

  // ---------- create ----------
  app.post<{ Params: { AccountSid: string } }>(`${base}/:AccountSid/Messages.json`, async (request, reply) => {
    const parsed = CreateForm.safeParse(request.body ?? {});
    if (!parsed.success) {
      const field = String(parsed.error.issues[0]?.path[0] ?? 'request');
      const code = field === 'To' ? 21211 : field === 'From' ? 21212 : field === 'Body' ? 21617 : 21609;
      return fail(reply, 400, code, `Invalid parameter ${field}: ${parsed.error.issues[0]?.message ?? ''}`);
    }
    const form = parsed.data;
    if (form.To === undefined || form.To === '') return fail(reply, 400, 21604, "A 'To' phone number is required.");
    if (!form.From && !form.MessagingServiceSid) return fail(reply, 400, 21603, "A 'From' phone number is required.");
    if ((form.Body === undefined || form.Body === '') && form.MediaUrl === undefined && form.ContentSid === undefined) {
      return fail(reply, 400, 21602, 'Message body is required.');
    }
    const body = form.Body ?? '';
    if (body.length > MAX_BODY) return fail(reply, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    if (!E164.test(form.To)) return fail(reply, 400, 21211, `Invalid 'To' Phone Number: ${form.To}`);
    if (form.From && !E164.test(form.From) && !ALPHANUMERIC_SENDER.test(form.From)) {
      return fail(reply, 400, 21212, `Invalid From Number (caller ID): ${form.From}`);
    }
    if (form.MessagingServiceSid !== undefined && !/^MG[0-9a-f]{32}$/.test(form.MessagingServiceSid)) {
      return fail(reply, 400, 21701, `The Messaging Service Sid ${form.MessagingServiceSid} is invalid.`);
    }
    if (form.StatusCallback !== undefined && !z.url({ protocol: /^https?$/ }).safeParse(form.StatusCallback).success) {
      // UNSURE: the exact code for a malformed StatusCallback.
      return fail(reply, 400, 21609, `Invalid StatusCallback: ${form.StatusCallback}`);
    }
    if (optedOut.has(form.To)) return fail(reply, 400, 21610, 'Attempt to send to unsubscribed recipient');

    const queued = nextOutcomes.get(form.To);
    const next = queued?.shift();
    if (queued && queued.length === 0) nextOutcomes.delete(form.To);
    if (next?.outcome === 'opted_out') {
      optedOut.add(form.To);
      return fail(reply, 400, 21610, 'Attempt to send to unsubscribed recipient');
    }
    if (next?.outcome === 'invalid') return fail(reply, 400, 21211, `Invalid 'To' Phone Number: ${form.To}`);
    if (next?.outcome === 'not_mobile') return fail(reply, 400, 21614, `'To' number ${form.To} is not a valid mobile number`);

    const planned: PlannedOutcome =
      next?.outcome === 'undelivered'
        ? { status: 'undelivered', errorCode: next.errorCode ?? 30003 }
        : next?.outcome === 'failed'
          ? { status: 'failed', errorCode: next.errorCode ?? 30008 }
          : { status: 'delivered' };
    const now = rfc2822(new Date());
    const message: SimMessage = {
      sid: `SM${hex(16)}`,
      accountSid: request.params.AccountSid,
      // With a Messaging Service Twilio picks the sender later: `from` is null and status "accepted".
      from: form.From ?? null,
      to: form.To,
      body,
      status: form.From ? 'queued' : 'accepted',
      messagingServiceSid: form.MessagingServiceSid ?? null,
      statusCallback: form.StatusCallback ?? null,
      numSegments: countSegments(body),
      dateCreated: now,
      dateUpdated: now,
      dateSent: null,
      errorCode: null,
      price: null,
      planned,
      callbacks: [],
    };
    messages.set(message.sid, message);
    if (lifecycle.mode === 'auto') scheduleAuto(message);
    return reply.code(201).send(resource(message));
  });

  // ---------- fetch ----------
  const FetchParams = z.object({ AccountSid: z.string(), SidJson: z.string().regex(/^(SM|MM)[0-9a-f]{32}\.json$/) });
  app.get(`${base}/:AccountSid/Messages/:SidJson`, async (request, reply) => {
    const params = FetchParams.safeParse(request.params);
    const m = params.success ? messages.get(params.data.SidJson.slice(0, -'.json'.length)) : undefined;
    if (!params.success || !m || m.accountSid !== params.data.AccountSid) {
      return fail(reply, 404, 20404, `The requested resource ${request.url.split('?')[0]} was not found`);
    }
    return resource(m);
  });

  // ---------- list (Twilio's paging envelope; the SDK follows next_page_uri) ----------
  app.get<{ Params: { AccountSid: string } }>(`${base}/:AccountSid/Messages.json`, async (request, reply) => {
    const parsed = ListQuery.safeParse(request.query);
    if (!parsed.success) return fail(reply, 400, 20001, `Invalid parameter ${String(parsed.error.issues[0]?.path[0] ?? '')}`);
    const q = parsed.data;
    const filters: { key: 'DateSent' | 'DateSent<' | 'DateSent>'; at: Date; dateOnly: boolean }[] = [];
    for (const key of ['DateSent', 'DateSent<', 'DateSent>'] as const) {
      const value = q[key];
      if (value === undefined) continue;
      const parsedDate = parseDateFilter(value);
      if (!parsedDate) return fail(reply, 400, 20001, `Invalid parameter ${key}: ${value}`);
      filters.push({ key, ...parsedDate });
    }
    const DAY = 86_400_000;
    const matches = [...messages.values()]
      .filter((m) => m.accountSid === request.params.AccountSid)
      .filter((m) => q.To === undefined || m.to === q.To)
      .filter((m) => q.From === undefined || m.from === q.From)
      .filter((m) => {
        if (filters.length === 0) return true;
        if (m.dateSent === null) return false;
        const sent = new Date(m.dateSent).getTime();
        return filters.every((f) => {
          const t = f.at.getTime();
          if (f.key === 'DateSent') return f.dateOnly ? sent >= t && sent < t + DAY : sent === t;
          if (f.key === 'DateSent>') return sent >= t;
          return f.dateOnly ? sent < t + DAY : sent <= t;
        });
      })
      .sort((a, b) => new Date(b.dateCreated).getTime() - new Date(a.dateCreated).getTime() || (a.sid < b.sid ? 1 : -1));

    const start = q.Page * q.PageSize;
    const page = matches.slice(start, start + q.PageSize);
    const listUri = `${base}/${request.params.AccountSid}/Messages.json`;
    const uriFor = (pageNumber: number, token?: string) => {
      const params = new URLSearchParams();
      for (const key of ['To', 'From', 'DateSent', 'DateSent<', 'DateSent>'] as const) {
        const value = q[key];
        if (value !== undefined) params.set(key, value);
      }
      params.set('PageSize', String(q.PageSize));
      params.set('Page', String(pageNumber));
      if (token !== undefined) params.set('PageToken', token);
      return `${listUri}?${params.toString()}`;
    };
    const hasNext = start + q.PageSize < matches.length;
    const last = page.at(-1);
    return {
      messages: page.map(resource),
      end: start + page.length - 1 < start ? start : start + page.length - 1,
      first_page_uri: uriFor(0),
      next_page_uri: hasNext && last ? uriFor(q.Page + 1, `PA${last.sid}`) : null,
      page: q.Page,
      page_size: q.PageSize,
      previous_page_uri: q.Page > 0 ? uriFor(q.Page - 1, `PB${page[0]?.sid ?? ''}`) : null,
      start,
      uri: uriFor(q.Page, q.PageToken),
    };
  });

  // ---------- lifecycle and status callbacks ----------
  function scheduleAuto(m: SimMessage) {
    const step = (fn: () => void) => {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, lifecycle.stepMs);
      timers.add(t);
    };
    step(() => {
      if (TERMINAL.has(m.status) || !messages.has(m.sid)) return;
      transition(m, 'sent');
      step(() => {
        if (TERMINAL.has(m.status) || !messages.has(m.sid)) return;
        transition(m, m.planned.status, m.planned.errorCode);
      });
    });
  }

  function transition(m: SimMessage, status: Status, errorCode?: number): void {
    const now = new Date();
    m.status = status;
    m.dateUpdated = rfc2822(now);
    if (m.dateSent === null && ORDER[status] >= ORDER.sent) m.dateSent = rfc2822(now);
    if (m.from === null && ORDER[status] >= ORDER.queued) m.from = '+46700000000';
    if (status === 'undelivered' || status === 'failed') m.errorCode = errorCode ?? (status === 'failed' ? 30008 : 30003);
    if (status === 'delivered' || status === 'undelivered' || status === 'sent') m.price = (-0.0525 * m.numSegments).toFixed(5);
    if (m.statusCallback) void sendCallback(m, m.statusCallback);
  }

  async function sendCallback(m: SimMessage, url: string): Promise<void> {
    const params: Record<string, string> = {
      AccountSid: m.accountSid,
      ApiVersion: API_VERSION,
      From: m.from ?? '',
      MessageSid: m.sid,
      MessageStatus: m.status,
      SmsSid: m.sid,
      SmsStatus: m.status,
      To: m.to,
    };
    if (m.messagingServiceSid) params.MessagingServiceSid = m.messagingServiceSid;
    if ((m.status === 'undelivered' || m.status === 'failed') && m.errorCode !== null) params.ErrorCode = String(m.errorCode);
    const authToken = accounts.get(m.accountSid) ?? '';
    const signature = twilio.getExpectedTwilioSignature(authToken, url, params);
    const attempt: StatusCallbackAttempt = { at: new Date().toISOString(), url, params, signature };
    m.callbacks.push(attempt);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signature,
          'i-twilio-idempotency-token': randomUUID(),
          'user-agent': 'TwilioProxy/1.1',
        },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(15_000),
      });
      attempt.responseStatus = response.status;
      await response.body?.cancel();
    } catch (e) {
      attempt.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
  }

  // ---------- control API ----------
  app.post(`${CONTROL_PREFIX}/next-outcome`, async (request, reply) => {
    const input = parseControl(NextOutcomeInput, request.body, reply);
    if (!input) return reply;
    const list = nextOutcomes.get(input.to) ?? [];
    list.push(input);
    nextOutcomes.set(input.to, list);
    return { ok: true, queued: list.length };
  });
  app.post(`${CONTROL_PREFIX}/opt-outs`, async (request, reply) => {
    const input = parseControl(OptOutInput, request.body, reply);
    if (!input) return reply;
    if (input.optedOut) optedOut.add(input.to);
    else optedOut.delete(input.to);
    return { optedOut: [...optedOut] };
  });
  app.post(`${CONTROL_PREFIX}/lifecycle`, async (request, reply) => {
    const input = parseControl(LifecycleInput, request.body, reply);
    if (!input) return reply;
    if (input.mode !== undefined) lifecycle.mode = input.mode;
    if (input.stepMs !== undefined) lifecycle.stepMs = input.stepMs;
    return lifecycle;
  });
  app.post(`${CONTROL_PREFIX}/accounts`, async (request, reply) => {
    const input = parseControl(AccountInput, request.body, reply);
    if (!input) return reply;
    accounts.set(input.accountSid, input.authToken);
    return { ok: true };
  });
  app.get(`${CONTROL_PREFIX}/messages`, async (request, reply) => {
    const q = parseControl(MessagesQuery, request.query, reply);
    if (!q) return reply;
    return { messages: [...messages.values()].filter((m) => q.to === undefined || m.to === q.to) };
  });
  app.post<{ Params: { sid: string } }>(`${CONTROL_PREFIX}/messages/:sid/advance`, async (request: FastifyRequest<{ Params: { sid: string } }>, reply) => {
    const input = parseControl(AdvanceInput, request.body, reply);
    if (!input) return reply;
    const m = messages.get(request.params.sid);
    if (!m) return reply.code(404).send({ error: 'not_found', message: `No message ${request.params.sid}` });
    if (TERMINAL.has(m.status) || ORDER[input.status] < ORDER[m.status]) {
      return reply.code(409).send({ error: 'conflict', message: `A message cannot go from ${m.status} to ${input.status}.` });
    }
    transition(m, input.status, input.errorCode);
    return { message: m };
  });

  return {
    ...sim,
    messages,
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await sim.close();
    },
  };
}
