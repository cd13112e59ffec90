import type { BankIdCompletionData, BankIdFlowUpdate } from '../../../src-shared/schemas/bankid';
import type { BankIdAuthInput, BankIdClient } from './client';
import type { BankIdError } from './errors';
import { abortedMessage, completeMessage, errorMessage, failedMessage, pendingMessage, type Language, type UserMessage } from './messages';
import { animatedQrText, autoStartUrl, qrTimeAt } from './qr';

export interface BankIdLoginOptions {
  client: BankIdClient;
  endUserIp: string;
  /** Restricts the order to this person (any written form); alreadyInProgress becomes possible. */
  personalNumber?: string;
  userVisibleMarkdown?: string;
  language?: Language;
  /** The user chose "BankID on this computer" (autostart) rather than scanning: changes hint texts. */
  sameDevice?: boolean;
  /** BankID asks for collect every 2 s. */
  collectIntervalMs?: number;
  /** The QR must change every second. */
  qrIntervalMs?: number;
  /** Consecutive retryable collect failures (timeouts, 5xx, 429) tolerated before giving up. */
  maxCollectFailures?: number;
  /** Safety net should BankID never finish the order: cancel and fail as expired. */
  maxDurationMs?: number;
  now?: () => number;
  signal?: AbortSignal;
  /** Everything the renderer may see. Never holds qrStartSecret, orderRef or completion data. */
  onUpdate?: (update: BankIdFlowUpdate) => void;
}

export type BankIdLoginResult =
  | {
      status: 'complete';
      /** The order BankID completed: main asserts it to the sync server, which may collect it too. */
      orderRef: string;
      /** 12 digits, as BankID returns it. */
      personalNumber: string;
      name: string;
      givenName: string;
      surname: string;
      /** For the activity record in main (signature, OCSP); not for the renderer. */
      completionData: BankIdCompletionData;
    }
  | {
      status: 'failed';
      /** The BankID hint code, or the errorCode / our error code when the API call itself failed. */
      hintCode: string;
      message: string;
      rfa: string | null;
      source: 'collect' | 'api' | 'aborted' | 'timeout';
      error?: BankIdError;
    };

export interface BankIdLoginFlow {
  readonly result: Promise<BankIdLoginResult>;
  /** The latest update (for a renderer that subscribes late). */
  current(): BankIdFlowUpdate;
  /** The user closed the dialog: cancels the order at BankID and ends as failed/aborted. */
  cancel(): void;
}

interface Started {
  orderRef: string;
  qrStartToken: string;
  autoStartUrl: string;
  authResponseAt: number;
}

/**
 * One BankID login, driven from main: /auth, then the animated QR every second and /collect every
 * two, until BankID says complete or failed, the user aborts, or the safety deadline passes.
 * The qrStartSecret lives only in this closure.
 */
export function startBankIdLogin(options: BankIdLoginOptions): BankIdLoginFlow {
  const {
    client,
    language = 'sv',
    sameDevice = false,
    collectIntervalMs = 2000,
    qrIntervalMs = 1000,
    maxCollectFailures = 5,
    maxDurationMs = 5 * 60_000,
    now = Date.now,
  } = options;
  const ctx = { sameDevice };
  const text = (m: UserMessage) => m[language];

  let qrStartSecret: string | null = null;
  let started: Started | null = null;
  let hintCode: string | null = null;
  let ended = false;
  let collectFailures = 0;
  let collectTimer: NodeJS.Timeout | undefined;
  let qrTimer: NodeJS.Timeout | undefined;
  let deadlineTimer: NodeJS.Timeout | undefined;
  const internalAbort = new AbortController();

  const starting = pendingMessage('outstandingTransaction', ctx);
  let last: BankIdFlowUpdate = { status: 'pending', qrText: null, autoStartUrl: null, hintCode: null, rfa: starting.rfa, message: text(starting) };

  const emit = (update: BankIdFlowUpdate) => {
    last = update;
    try {
      options.onUpdate?.(update);
    } catch (_e) {
      // A failing listener (a closed window) must not break the order's lifecycle.
    }
  };

  const currentQr = (): string | null =>
    started && qrStartSecret !== null ? animatedQrText(started.qrStartToken, qrStartSecret, qrTimeAt(started.authResponseAt, now())) : null;

  const emitPending = () => {
    const m = pendingMessage(hintCode ?? undefined, ctx);
    emit({ status: 'pending', qrText: currentQr(), autoStartUrl: started?.autoStartUrl ?? null, hintCode, rfa: m.rfa, message: text(m) });
  };

  let resolveResult!: (r: BankIdLoginResult) => void;
  const result = new Promise<BankIdLoginResult>((resolve) => {
    resolveResult = resolve;
  });

  const finish = (outcome: BankIdLoginResult) => {
    if (ended) return;
    ended = true;
    clearTimeout(collectTimer);
    clearInterval(qrTimer);
    clearTimeout(deadlineTimer);
    options.signal?.removeEventListener('abort', onAbort);
    qrStartSecret = null;
    if (outcome.status === 'complete') {
      const m = completeMessage();
      emit({ status: 'complete', qrText: null, autoStartUrl: null, hintCode: null, rfa: m.rfa, message: text(m) });
    } else {
      emit({ status: 'failed', qrText: null, autoStartUrl: null, hintCode: outcome.hintCode, rfa: outcome.rfa, message: outcome.message });
    }
    resolveResult(outcome);
  };

  const failWith = (hint: string, m: UserMessage, source: Extract<BankIdLoginResult, { status: 'failed' }>['source'], error?: BankIdError) =>
    finish({ status: 'failed', hintCode: hint, message: text(m), rfa: m.rfa, source, ...(error ? { error } : {}) });

  /** Best effort: the order dies at BankID anyway when it expires. */
  const cancelAtBankId = () => {
    if (started) void client.cancel(started.orderRef).catch(() => undefined);
  };

  function onAbort() {
    if (ended) return;
    internalAbort.abort();
    cancelAtBankId();
    failWith('cancelled', abortedMessage(), 'aborted');
  }

  const collectOnce = async () => {
    if (ended || !started) return;
    const response = await client.collect(started.orderRef, internalAbort.signal);
    if (ended) return;
    if (!response.ok) {
      collectFailures += 1;
      // A 429 says when to come back; otherwise keep the normal pace.
      if (response.error.retryable && collectFailures < maxCollectFailures) return scheduleCollect((response.error.retryAfterSeconds ?? 0) * 1000);
      cancelAtBankId();
      return failWith(response.error.errorCode ?? response.error.code, errorMessage(response.error), 'api', response.error);
    }
    collectFailures = 0;
    const body = response.value;
    if (body.status === 'complete') {
      const { user } = body.completionData;
      return finish({ status: 'complete', orderRef: started.orderRef, personalNumber: user.personalNumber, name: user.name, givenName: user.givenName, surname: user.surname, completionData: body.completionData });
    }
    if (body.status === 'failed') {
      return failWith(body.hintCode ?? 'unknown', failedMessage(body.hintCode, ctx), 'collect');
    }
    if ((body.hintCode ?? null) !== hintCode) {
      hintCode = body.hintCode ?? null;
      emitPending();
    }
    scheduleCollect();
  };

  function scheduleCollect(atLeastMs = 0) {
    if (!ended) collectTimer = setTimeout(() => void collectOnce(), Math.max(collectIntervalMs, atLeastMs));
  }

  const run = async () => {
    const auth: BankIdAuthInput = { endUserIp: options.endUserIp };
    if (options.personalNumber !== undefined) auth.personalNumber = options.personalNumber;
    if (options.userVisibleMarkdown !== undefined) auth.userVisibleMarkdown = options.userVisibleMarkdown;
    // Not aborted with the flow: an abandoned /auth may still create the order at BankID, and only
    // its answer tells us the orderRef we must cancel. The client's own timeout bounds the wait.
    const order = await client.auth(auth);
    if (!order.ok) {
      if (!ended) failWith(order.error.errorCode ?? order.error.code, errorMessage(order.error), 'api', order.error);
      return;
    }
    started = {
      orderRef: order.value.orderRef,
      qrStartToken: order.value.qrStartToken,
      autoStartUrl: autoStartUrl(order.value.autoStartToken),
      authResponseAt: now(),
    };
    if (ended) {
      // Aborted while /auth was in flight: the order now exists at BankID, so cancel it there.
      cancelAtBankId();
      return;
    }
    qrStartSecret = order.value.qrStartSecret;
    hintCode = 'outstandingTransaction';
    emitPending();
    qrTimer = setInterval(emitPending, qrIntervalMs);
    deadlineTimer = setTimeout(() => {
      cancelAtBankId();
      failWith('expiredTransaction', failedMessage('expiredTransaction', ctx), 'timeout');
    }, maxDurationMs);
    void collectOnce();
  };

  if (options.signal?.aborted) {
    queueMicrotask(onAbort);
  } else {
    options.signal?.addEventListener('abort', onAbort, { once: true });
    void run().catch((error: unknown) => {
      // Only a programming error gets here (the client returns Results); still end the flow cleanly.
      failWith('internalError', errorMessage({ code: 'bankid.unknown', message: String(error), retryable: false }), 'api');
    });
  }

  return {
    result,
    current: () => last,
    cancel: onAbort,
  };
}
