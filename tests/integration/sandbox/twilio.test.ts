import axios from 'axios';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver, startTestSandbox, type Receiver, type Sandbox } from '../../support/sandbox';

let sandbox: Sandbox;
let client: twilio.Twilio;
let receiver: Receiver;
const FROM = '+46701110000';
const TO = '+46701234567';

/** The official SDK pointed at the simulator: SDK 6 builds every URL from `client.api.baseUrl`. */
function sdkClient(accountSid: string, authToken: string): twilio.Twilio {
  const c = twilio(accountSid, authToken, { autoRetry: false });
  c.api.baseUrl = sandbox.twilio.url;
  return c;
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  client = sdkClient(sandbox.twilio.account.accountSid, sandbox.twilio.account.authToken);
});
afterAll(async () => sandbox.close());
beforeEach(async () => {
  await sandbox.twilio.control.reset();
  receiver = await startReceiver();
});
afterEach(async () => receiver.close());

async function restError(p: Promise<unknown>): Promise<{ status: number; code: number; message: string; moreInfo: string }> {
  try {
    await p;
  } catch (e) {
    return e as { status: number; code: number; message: string; moreInfo: string };
  }
  throw new Error('expected the SDK call to fail');
}

describe('Twilio simulator through the official SDK', () => {
  it('creates a message (201) with every documented field', async () => {
    const m = await client.messages.create({ to: TO, from: FROM, body: 'Hej! Din faktura från Tandkliniken är skickad.' });
    expect(m.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(m).toMatchObject({ accountSid: sandbox.twilio.account.accountSid, to: TO, from: FROM, status: 'queued', direction: 'outbound-api', numSegments: '1', apiVersion: '2010-04-01', errorCode: null });
    expect(m.dateCreated).toBeInstanceOf(Date);
    expect(m.uri).toBe(`/2010-04-01/Accounts/${sandbox.twilio.account.accountSid}/Messages/${m.sid}.json`);

    const raw = await axios.post(
      `${sandbox.twilio.url}/2010-04-01/Accounts/${sandbox.twilio.account.accountSid}/Messages.json`,
      new URLSearchParams({ To: TO, From: FROM, Body: 'x' }).toString(),
      { auth: { username: sandbox.twilio.account.accountSid, password: sandbox.twilio.account.authToken }, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    );
    expect(raw.status).toBe(201);
    for (const key of ['sid', 'account_sid', 'from', 'to', 'body', 'status', 'direction', 'num_segments', 'price', 'price_unit', 'error_code', 'error_message', 'date_created', 'date_updated', 'date_sent', 'api_version', 'uri']) {
      expect(raw.data).toHaveProperty(key);
    }
    expect(typeof raw.data.num_segments).toBe('string');
    expect(raw.data.date_created).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('counts segments: Swedish letters stay GSM-7, an emoji forces UCS-2', async () => {
    const gsm = await client.messages.create({ to: TO, from: FROM, body: 'å'.repeat(160) });
    const gsm2 = await client.messages.create({ to: TO, from: FROM, body: 'ö'.repeat(161) });
    const ucs = await client.messages.create({ to: TO, from: FROM, body: `${'a'.repeat(69)}😀` });
    expect([gsm.numSegments, gsm2.numSegments, ucs.numSegments]).toEqual(['1', '2', '2']);
  });

  it('fetches a message and walks queued → sent → delivered', async () => {
    const m = await client.messages.create({ to: TO, from: FROM, body: 'Påminnelse' });
    await sandbox.twilio.control.waitForMessages((all) => all[0]?.status === 'delivered');
    const fetched = await client.messages(m.sid).fetch();
    expect(fetched.status).toBe('delivered');
    expect(fetched.dateSent).toBeInstanceOf(Date);
  });

  it('lists with To and DateSent> filters and follows next_page_uri', async () => {
    await sandbox.twilio.control.setLifecycle({ stepMs: 0 });
    const other = '+46709999999';
    for (let i = 0; i < 5; i++) await client.messages.create({ to: TO, from: FROM, body: `m${i}` });
    await client.messages.create({ to: other, from: FROM, body: 'other' });
    await sandbox.twilio.control.waitForMessages((all) => all.length === 6 && all.every((x) => x.status === 'delivered'));

    const listed = await client.messages.list({ to: TO, dateSentAfter: new Date(Date.now() - 60_000), pageSize: 2 });
    expect(listed).toHaveLength(5);
    expect(listed.every((x) => x.to === TO)).toBe(true);
    const pages = await sandbox.twilio.control.requests({ path: 'Messages\\.json$', method: 'GET' });
    expect(pages).toHaveLength(3);
    expect(pages[0]!.query).toMatchObject({ To: TO, PageSize: '2' });
    expect(pages[0]!.query['DateSent>']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    const future = await client.messages.list({ to: TO, dateSentAfter: new Date(Date.now() + 3_600_000) });
    expect(future).toHaveLength(0);

    const page = await client.messages.page({ to: TO, pageSize: 2 });
    expect(page.instances).toHaveLength(2);
    expect(page.nextPageUrl).toContain(`${sandbox.twilio.url}/2010-04-01/Accounts/`);
  });

  it('answers bad credentials with 401 / 20003', async () => {
    const bad = sdkClient(sandbox.twilio.account.accountSid, 'wrong-token-wrong-token');
    const e = await restError(bad.messages.create({ to: TO, from: FROM, body: 'x' }));
    expect(e).toMatchObject({ status: 401, code: 20003, moreInfo: 'https://www.twilio.com/docs/errors/20003' });
  });

  it("refuses another account's path with 20003, and an unknown sid with 404 / 20404", async () => {
    const res = await axios.get(`${sandbox.twilio.url}/2010-04-01/Accounts/AC${'1'.repeat(32)}/Messages.json`, {
      auth: { username: sandbox.twilio.account.accountSid, password: sandbox.twilio.account.authToken },
      validateStatus: () => true,
    });
    expect(res.status).toBe(401);
    expect(res.data).toEqual({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    expect(await restError(client.messages(`SM${'0'.repeat(32)}`).fetch())).toMatchObject({ status: 404, code: 20404 });
  });

  it('refuses invalid To (21211), missing body (21602), body over 1600 chars (21617)', async () => {
    expect(await restError(client.messages.create({ to: '0701234567', from: FROM, body: 'x' }))).toMatchObject({ status: 400, code: 21211 });
    expect(await restError(client.messages.create({ to: TO, from: FROM }))).toMatchObject({ status: 400, code: 21602 });
    expect(await restError(client.messages.create({ to: TO, from: FROM, body: 'a'.repeat(1601) }))).toMatchObject({ status: 400, code: 21617 });
    expect(await sandbox.twilio.control.messages()).toHaveLength(0);
  });

  it('control: opted out (21610, sticks), invalid (21211), not mobile (21614) for the next message', async () => {
    await sandbox.twilio.control.setNextOutcome({ to: TO, outcome: 'opted_out' });
    expect(await restError(client.messages.create({ to: TO, from: FROM, body: 'x' }))).toMatchObject({ status: 400, code: 21610 });
    expect(await restError(client.messages.create({ to: TO, from: FROM, body: 'x' }))).toMatchObject({ code: 21610 });
    await sandbox.twilio.control.setOptOut({ to: TO, optedOut: false });
    await sandbox.twilio.control.setNextOutcome({ to: TO, outcome: 'invalid' });
    await sandbox.twilio.control.setNextOutcome({ to: TO, outcome: 'not_mobile' });
    expect(await restError(client.messages.create({ to: TO, from: FROM, body: 'x' }))).toMatchObject({ code: 21211 });
    expect(await restError(client.messages.create({ to: TO, from: FROM, body: 'x' }))).toMatchObject({ code: 21614 });
    const ok = await client.messages.create({ to: TO, from: FROM, body: 'x' });
    expect(ok.status).toBe('queued');
  });

  it('with a Messaging Service the message starts accepted with from null', async () => {
    const m = await client.messages.create({ to: TO, messagingServiceSid: `MG${'a'.repeat(32)}`, body: 'x' });
    expect(m.status).toBe('accepted');
    expect(m.from).toBeNull();
  });
});

describe('Twilio status callbacks', () => {
  it('posts signed callbacks that validateRequest accepts, and a tampered one it rejects', async () => {
    const callbackUrl = `${receiver.url}/hooks/twilio?clinic=1`;
    await sandbox.twilio.control.setNextOutcome({ to: TO, outcome: 'undelivered', errorCode: 30005 });
    const m = await client.messages.create({ to: TO, from: FROM, body: 'Hej', statusCallback: callbackUrl });
    const [sent, final] = await receiver.waitFor(2);
    expect(sent!.form).toMatchObject({ MessageSid: m.sid, MessageStatus: 'sent', AccountSid: sandbox.twilio.account.accountSid, From: FROM, To: TO, ApiVersion: '2010-04-01' });
    expect(sent!.form.ErrorCode).toBeUndefined();
    expect(final!.form).toMatchObject({ MessageStatus: 'undelivered', ErrorCode: '30005' });

    const token = sandbox.twilio.account.authToken;
    for (const hook of [sent!, final!]) {
      const signature = String(hook.headers['x-twilio-signature']);
      expect(twilio.validateRequest(token, signature, `${receiver.url}${hook.url}`, hook.form)).toBe(true);
    }
    const signature = String(final!.headers['x-twilio-signature']);
    expect(twilio.validateRequest(token, signature, `${receiver.url}${final!.url}`, { ...final!.form, MessageStatus: 'delivered' })).toBe(false);
    expect(twilio.validateRequest('another-token', signature, `${receiver.url}${final!.url}`, final!.form)).toBe(false);

    const fetched = await client.messages(m.sid).fetch();
    expect(fetched).toMatchObject({ status: 'undelivered', errorCode: 30005 });
  });

  it('manual lifecycle: advanceMessage drives the status and never moves a terminal status back', async () => {
    await sandbox.twilio.control.setLifecycle({ mode: 'manual' });
    const m = await client.messages.create({ to: TO, from: FROM, body: 'x', statusCallback: `${receiver.url}/cb` });
    expect((await client.messages(m.sid).fetch()).status).toBe('queued');
    await sandbox.twilio.control.advanceMessage(m.sid, { status: 'failed', errorCode: 30003 });
    const [hook] = await receiver.waitFor(1);
    expect(hook!.form).toMatchObject({ MessageStatus: 'failed', ErrorCode: '30003' });
    await expect(sandbox.twilio.control.advanceMessage(m.sid, { status: 'sent' })).rejects.toMatchObject({ status: 409 });
  });
});
