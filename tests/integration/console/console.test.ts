import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashActivity as deskHash } from '../../../src-main/db/activity-chain';
import { startBankIdSimulator, type BankIdSimulator } from '../../../src-sandbox/bankid';
import { ServerBankId } from '../../../src-server/accounts/bankid';
import { accountsDb } from '../../../src-server/accounts/schema';
import { GENESIS_HASH, type ActivityRecord } from '../../../src-shared/schemas/activity';
import type { ServiceSettings } from '../../../src-shared/schemas/accounts';
import {
  CancellationRequestNotice, type ActivityPage, type ChainVerification, type ClinicView, type ConsoleBankIdPoll, type ConsoleBankIdStart, type ConsoleOrderDetail,
  type ConsoleOrderPage, type DeviceView, type EnrolmentCode,
} from '../../../src-shared/schemas/console';
import { api, personnummer, World, type Device } from '../accounts/support';
import { DB_KINDS, eventually, orderInput, patientInput } from '../sync/support/harness';

describe.each(DB_KINDS)('console API (%s)', (kind) => {
  let w: World;
  let sys: string;

  beforeEach(async () => {
    w = await World.start(kind);
    sys = await w.consoleToken();
  });
  afterEach(async () => {
    await w?.close();
  });

  it('creates, edits and deactivates clinics, issues enrolment codes and lists devices with their last sync', async () => {
    const bad = await w.con(sys, 'POST', '/clinics', { name: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('body.name');
    const extra = await w.con(sys, 'POST', '/clinics', { name: 'X', evil: true });
    expect(extra.status).toBe(400);
    expect(extra.body.field).toBe('body.evil');
    const c = await w.con<{ clinic: ClinicView }>(sys, 'POST', '/clinics', { name: 'Tandläkarhuset Söder' });
    expect(c.status).toBe(200);
    const clinicId = c.body.clinic.id;
    expect(c.body.clinic).toMatchObject({ name: 'Tandläkarhuset Söder', active: true, devices: 0 });
    const code = await w.con<EnrolmentCode>(sys, 'POST', `/clinics/${clinicId}/enrolment-codes`, { validHours: 48 });
    expect(code.status).toBe(200);
    const enrolled = await api<{ deviceId: string; clinicId: string; deviceCredential: string }>(w.url, 'POST', '/v1/enrol', { code: code.body.code, deviceName: 'Kassa 1' });
    expect(enrolled.status).toBe(200);
    expect(enrolled.body.clinicId).toBe(clinicId);
    const dev: Device = { id: enrolled.body.deviceId, clinicId, header: `Device ${enrolled.body.deviceId}:${enrolled.body.deviceCredential}`, seq: 0 };
    const devices = (await w.con<{ devices: DeviceView[] }>(sys, 'GET', `/clinics/${clinicId}`)).body.devices;
    expect(devices).toEqual([expect.objectContaining({ id: dev.id, name: 'Kassa 1', lastSyncAt: null, revokedAt: null })]);
    // The desk pulls: the console sees when.
    const changes = await w.pullAll(dev);
    // A new clinic's desk gets the clinic and the service settings with its first pull.
    expect(changes.map((x) => x.entity)).toEqual(expect.arrayContaining(['clinic', 'service_settings']));
    // Recorded after the answer is sent (bookkeeping never slows a sync): wait for it.
    await eventually(async () => (await w.con<{ devices: DeviceView[] }>(sys, 'GET', `/clinics/${clinicId}`)).body.devices[0]?.lastSyncAt != null, 'the desk\'s last sync');
    // Edit: the name reaches the desk.
    expect((await w.con(sys, 'PATCH', `/clinics/${clinicId}`, { name: 'Tandläkarhuset Söder AB' })).status).toBe(200);
    const clinicDoc = (await w.feedState(dev, 'clinic')).get(clinicId);
    expect(clinicDoc).toMatchObject({ name: 'Tandläkarhuset Söder AB', active: true });
    // Deactivate: sessions end, logins and new enrolment codes are refused.
    const userId = await w.createUser(sys, { clinicId, username: 'gun.g', displayName: 'Gun G', role: 'staff' });
    await w.firstChange(dev, 'gun.g');
    const token = await w.deskToken(dev, 'gun.g', 'a brand new password', '135790');
    expect((await w.con(sys, 'PATCH', `/clinics/${clinicId}`, { active: false })).status).toBe(200);
    expect((await api(w.url, 'GET', '/v1/auth/me', undefined, { authorization: `Bearer ${token}` })).status).toBe(401);
    const refused = await w.deskLogin(dev, { method: 'password', username: 'gun.g', password: 'a brand new password', pin: '135790' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('clinic_inactive');
    expect((await w.con(sys, 'POST', `/clinics/${clinicId}/enrolment-codes`, {})).status).toBe(409);
    const list = await w.con<{ clinics: ClinicView[] }>(sys, 'GET', '/clinics');
    expect(list.body.clinics.find((x) => x.id === clinicId)).toMatchObject({ active: false, users: 1, devices: 1 });
    expect(userId).toBeTruthy();
    // Revoke a desk.
    expect((await w.con(sys, 'POST', `/clinics/${clinicId}/devices/${dev.id}/revoke`)).status).toBe(200);
    expect((await api(w.url, 'GET', '/v1/sync/pull', undefined, { authorization: dev.header })).status).toBe(401);
  });

  it('finds orders across clinics by patient name with the desk\'s filters and sorts, and sends a cancellation request to the right clinic\'s desks', async () => {
    const a = await w.clinic('Klinik Alfa');
    const b = await w.clinic('Klinik Beta');
    const devA = await w.enrol(a.clinicId);
    const devB = await w.enrol(b.clinicId);
    const pa = { ...patientInput(), firstName: 'Åsa', lastName: 'Lindqvist' };
    const pb = { ...patientInput(), firstName: 'Örjan', lastName: 'Lindqvist' };
    const pc = { ...patientInput(), firstName: 'Karin', lastName: 'Berg' };
    await w.push(devA, 'patient.create', pa, a.userId);
    await w.push(devA, 'patient.create', pc, a.userId);
    await w.push(devB, 'patient.create', pb, b.userId);
    const oa = orderInput(pa.id);
    const ob = { ...orderInput(pb.id), lines: [{ ...orderInput(pb.id).lines[0]!, unitPrice: 50_000 }] };
    const oc = orderInput(pc.id);
    const cancelled = orderInput(pa.id);
    await w.push(devA, 'order.create', oa, a.userId);
    await w.push(devB, 'order.create', ob, b.userId);
    await w.push(devA, 'order.create', oc, a.userId);
    await w.push(devA, 'order.create', cancelled, a.userId);
    await w.push(devA, 'order.cancel', { orderId: cancelled.id, reason: 'duplicate' }, a.userId);

    const search = (q: Record<string, unknown>) => w.con<ConsoleOrderPage>(sys, 'POST', '/orders/search', q);
    let r = await search({ search: 'lindqvist', sort: 'total', direction: 'asc' });
    expect(r.status).toBe(200);
    expect(r.body.summary?.count).toBe(3);
    expect(r.body.rows.map((x) => [x.clinicName, x.patientName, x.total])).toEqual([
      ['Klinik Beta', 'Örjan Lindqvist', 50_000],
      ['Klinik Alfa', 'Åsa Lindqvist', 95_000],
      ['Klinik Alfa', 'Åsa Lindqvist', 95_000],
    ]);
    // Prefix and diacritics as typed at the desk; first name narrows.
    r = await search({ search: 'åsa lind' });
    expect(new Set(r.body.rows.map((x) => x.id))).toEqual(new Set([oa.id, cancelled.id]));
    r = await search({ search: 'lindqvist', statuses: ['draft'], clinicId: a.clinicId });
    expect(r.body.rows.map((x) => x.id)).toEqual([oa.id]);
    r = await search({ search: pb.personnummer.slice(0, 8) });
    expect(r.body.rows.map((x) => x.id)).toEqual([ob.id]);
    r = await search({ amount: { min: 60_000 }, sort: 'patientName', direction: 'asc' });
    expect(r.body.rows.map((x) => x.patientName)).toEqual(['Karin Berg', 'Åsa Lindqvist', 'Åsa Lindqvist']);
    r = await search({ limit: 2, sort: 'createdAt', direction: 'asc' });
    r = await search({ limit: 2, sort: 'createdAt', direction: 'asc', cursor: r.body.nextCursor });
    expect(r.body.rows.map((x) => x.id)).toEqual([oc.id, cancelled.id]);
    expect(r.body.nextCursor).toBeNull();
    const invalid = await search({ sort: 'nonsense' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.field).toBe('body.sort');

    const detail = await w.con<ConsoleOrderDetail>(sys, 'GET', `/orders/${a.clinicId}/${oa.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ clinicName: 'Klinik Alfa', cancellable: true, patient: { lastName: 'Lindqvist' }, order: { orderNumber: oa.orderNumber } });
    // The order does not exist in the other clinic.
    expect((await w.con(sys, 'GET', `/orders/${b.clinicId}/${oa.id}`)).status).toBe(404);

    const badReason = await w.con(sys, 'POST', `/orders/${a.clinicId}/${oa.id}/cancellation-request`, { reason: 'because' });
    expect(badReason.status).toBe(400);
    expect(badReason.body.field).toBe('body.reason');
    const req = await w.con<{ notice: CancellationRequestNotice }>(sys, 'POST', `/orders/${a.clinicId}/${oa.id}/cancellation-request`, { reason: 'patient_request', note: 'Patienten ringde' });
    expect(req.status).toBe(200);
    // Clinic A's desk receives it through its change feed; clinic B's does not.
    const noticesA = [...(await w.feedState(devA, 'notice')).values()].map((n) => CancellationRequestNotice.safeParse(n)).filter((p) => p.success).map((p) => p.data!);
    expect(noticesA).toEqual([expect.objectContaining({ orderId: oa.id, orderNumber: oa.orderNumber, reason: 'patient_request', note: 'Patienten ringde', requestedByName: 'Sara Systemsson' })]);
    expect([...(await w.feedState(devB, 'notice')).values()]).toEqual([]);
    const after = await w.con<ConsoleOrderDetail>(sys, 'GET', `/orders/${a.clinicId}/${oa.id}`);
    expect(after.body.cancellationRequests).toHaveLength(1);
    // A cancelled order cannot be asked to cancel again.
    const no = await w.con(sys, 'POST', `/orders/${a.clinicId}/${cancelled.id}/cancellation-request`, { reason: 'duplicate' });
    expect(no.status).toBe(409);
    expect(no.body.error).toBe('not_cancellable');
    const act = await w.con<ActivityPage>(sys, 'GET', `/activity?action=order.cancellation_request&clinicId=${a.clinicId}`);
    expect(act.body.rows).toHaveLength(1);
  });

  it('answers hostile console input with a 4xx that says what is wrong, and stays up', async () => {
    const raw = (path: string, body: string, type = 'application/json') =>
      fetch(`${w.url}/console/api${path}`, { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${sys}` }, body }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error: string; message: string; field?: string } }));
    expect((await raw('/clinics', '{"name": ')).status).toBe(400);
    expect((await raw('/clinics', 'name=x', 'text/plain')).status).toBe(415);
    expect((await raw('/clinics', '{"__proto__": {"admin": true}, "name": "x"}')).status).toBe(400);
    expect((await raw('/clinics', JSON.stringify({ name: 'x'.repeat(100_000) }))).status).toBe(413);
    const long = await raw('/orders/search', JSON.stringify({ search: 'x'.repeat(201) }));
    expect(long.status).toBe(400);
    expect(long.body.field).toBe('body.search');
    const badId = await w.con(sys, 'GET', '/clinics/not-a-uuid');
    expect(badId.status).toBe(400);
    expect(badId.body.field).toBe('params.clinicId');
    const loginWithout = await api<{ field?: string }>(w.url, 'POST', '/console/api/login', { username: 'sys.admin', password: 'x' });
    expect(loginWithout.status).toBe(400);
    expect(loginWithout.body.field).toBe('body.pin');
    expect((await w.con(sys, 'GET', '/me')).status).toBe(200);
  });

  it('validates service settings with field names and hands them to every clinic', async () => {
    const c = await w.clinic('Inställningar');
    const dev = await w.enrol(c.clinicId);
    const current = (await w.con<{ settings: ServiceSettings }>(sys, 'GET', '/settings')).body.settings;
    expect(current.countries.allowedCountries).toEqual(['SE']);
    expect(current.sessions.offlineLoginHours).toBe(72);
    const cases: [Record<string, unknown>, string][] = [
      [{ ...current, reminderFee: 7000 }, 'body.reminderFee'],
      [{ ...current, countries: { ...current.countries, allowedCountries: ['sweden'] } }, 'body.countries.allowedCountries.0'],
      [{ ...current, installments: { ...current.installments, months: [5] } }, 'body.installments.months.0'],
      [{ ...current, smsTemplates: { ...current.smsTemplates, reminder: { sv: '', en: 'x' } } }, 'body.smsTemplates.reminder.sv'],
      [{ ...current, sessions: { ...current.sessions, offlineLoginHours: -1 } }, 'body.sessions.offlineLoginHours'],
      [{ ...current, surprise: 1 }, 'body.surprise'],
      [{ ...current, sessions: { ...current.sessions, extra: 2 } }, 'body.sessions.extra'],
    ];
    for (const [body, field] of cases) {
      const r = await w.con(sys, 'PUT', '/settings', body);
      expect(r.status, field).toBe(400);
      expect(r.body.field, JSON.stringify(r.body)).toBe(field);
    }
    const next = { ...current, reminderFee: 5000, installments: { ...current.installments, months: [3, 12] } };
    expect((await w.con(sys, 'PUT', '/settings', next)).status).toBe(200);
    expect((await w.con<{ settings: ServiceSettings }>(sys, 'GET', '/settings')).body.settings).toEqual(next);
    const onDesk = (await w.feedState(dev, 'service_settings')).get('service');
    expect(onDesk).toMatchObject({ reminderFee: 5000, installments: { months: [3, 12] } });
    // Lockout internals and the country policy stay on the server.
    expect(onDesk).not.toHaveProperty('lockout');
  });

  it('lists the activity of everything with filters and verifies every chain, detecting edits, removals and reordering', async () => {
    const c = await w.clinic('Logg');
    const dev = await w.enrol(c.clinicId);
    await w.deskLogin(dev, { method: 'password', username: c.username, password: 'correct horse battery', pin: '4711' });
    await w.deskLogin(dev, { method: 'password', username: c.username, password: 'wrong password', pin: '4711' });
    await w.con(sys, 'POST', `/clinics/${c.clinicId}/enrolment-codes`, {});
    // A desk uploads its own chain (hashed by the desk's code); the server checks every link.
    const deskChain: ActivityRecord[] = [];
    for (let i = 1; i <= 3; i += 1) {
      const unsigned = {
        id: randomUUID(), chainId: dev.id, seq: i, at: new Date(Date.now() + i).toISOString(), clinicId: c.clinicId, actorUserId: c.userId, action: 'order.create',
        subject: `order:${randomUUID()}`, outcome: 'ok' as const, country: null, ip: null, details: { n: i }, prevHash: deskChain[i - 2]?.hash ?? GENESIS_HASH,
      };
      deskChain.push({ ...unsigned, hash: deskHash(unsigned) });
    }
    const up = (records: ActivityRecord[]) => api<{ lastSeq?: number; error?: string; field?: string }>(w.url, 'POST', '/v1/activity/push', { records }, { authorization: dev.header });
    expect((await up(deskChain.slice(0, 2))).body.lastSeq).toBe(2);
    // Resending what is stored is fine (a lost answer); the rest continues the chain.
    expect((await up(deskChain)).body.lastSeq).toBe(3);
    const altered = { ...deskChain[2]!, details: { n: 99 } };
    const refusedEdit = await up([altered]);
    expect(refusedEdit.status).toBe(409);
    expect(refusedEdit.body.field).toBe('body.records.0.hash');
    const skip = { ...deskChain[2]!, seq: 5 };
    expect((await up([skip])).body.field).toBe('body.records.0.seq');
    const foreign = { ...deskChain[0]!, chainId: randomUUID() };
    expect((await up([foreign])).body.field).toBe('body.records.0.chainId');

    // Filters.
    const q = (s: string) => w.con<ActivityPage>(sys, 'GET', `/activity?${s}`);
    expect((await q(`clinicId=${c.clinicId}&action=auth.login`)).body.rows.map((r) => r.outcome).sort()).toEqual(['ok', 'refused']);
    expect((await q(`userId=${c.userId}&action=order.create`)).body.total).toBe(3);
    expect((await q('action=auth.')).body.rows.every((r) => r.action.startsWith('auth.'))).toBe(true);
    const today = new Date().toISOString().slice(0, 10);
    expect((await q(`from=${today}&to=${today}&clinicId=${c.clinicId}`)).body.total).toBeGreaterThanOrEqual(6);
    expect((await q('from=2001-01-01&to=2001-01-02')).body.total).toBe(0);
    expect((await q('country=unknown&action=auth.login')).body.total).toBeGreaterThanOrEqual(2);
    const badDate = await q('from=2025-13-40');
    expect(badDate.status).toBe(400);
    expect(badDate.body.field).toBe('query.from');

    const verify = async () => (await w.con<ChainVerification>(sys, 'POST', '/activity/verify')).body;
    let v = await verify();
    expect(v.ok).toBe(true);
    expect(v.chains.map((x) => x.chainId).sort()).toEqual([dev.id, 'server'].sort());

    const db = accountsDb(w.sdb.db);
    const server = await db.selectFrom('activity').selectAll().where('chain_id', '=', 'server').orderBy('seq').execute();
    expect(server.length).toBeGreaterThanOrEqual(5);
    const problem = async (chainId: string) => (await verify()).chains.find((x) => x.chainId === chainId);

    // Edit: a record's country is changed afterwards.
    await db.updateTable('activity').set({ country: 'SE' }).where('chain_id', '=', 'server').where('seq', '=', 2).execute();
    expect(await problem('server')).toMatchObject({ ok: false, problem: 'hash_mismatch', seq: 2 });
    await db.updateTable('activity').set({ country: server[1]!.country }).where('chain_id', '=', 'server').where('seq', '=', 2).execute();
    expect((await verify()).ok).toBe(true);

    // Removal in the middle of a desk's chain.
    const deskRows = await db.selectFrom('activity').selectAll().where('chain_id', '=', dev.id).orderBy('seq').execute();
    await db.deleteFrom('activity').where('chain_id', '=', dev.id).where('seq', '=', 2).execute();
    expect(await problem(dev.id)).toMatchObject({ ok: false, problem: 'seq_gap', seq: 2 });
    await db.insertInto('activity').values(deskRows[1]!).execute();
    expect((await verify()).ok).toBe(true);

    // Removal of the newest record: the chain is a valid prefix, the head notices.
    await db.deleteFrom('activity').where('chain_id', '=', dev.id).where('seq', '=', 3).execute();
    expect(await problem(dev.id)).toMatchObject({ ok: false, problem: 'head_mismatch' });
    await db.insertInto('activity').values(deskRows[2]!).execute();

    // Reordering: two records swap places (their seqs exchanged).
    await db.updateTable('activity').set({ seq: 1000 }).where('chain_id', '=', 'server').where('seq', '=', 3).execute();
    await db.updateTable('activity').set({ seq: 3 }).where('chain_id', '=', 'server').where('seq', '=', 4).execute();
    await db.updateTable('activity').set({ seq: 4 }).where('chain_id', '=', 'server').where('seq', '=', 1000).execute();
    const reordered = await problem('server');
    expect(reordered?.ok).toBe(false);
    expect(reordered?.seq).toBe(3);
    expect(['prev_hash_mismatch', 'hash_mismatch']).toContain(reordered?.problem);
    v = await verify();
    expect(v.ok).toBe(false);
    expect(v.chains.find((x) => x.chainId === dev.id)?.ok).toBe(true);
  });
});

describe.each(DB_KINDS)('console login by BankID against the simulator (%s)', (kind) => {
  let sim: BankIdSimulator;
  let w: World;

  beforeAll(async () => {
    sim = await startBankIdSimulator({ port: 0 });
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(async () => {
    await sim.control.reset();
    w = await World.start(kind, { bankid: { baseUrl: sim.url, pfx: sim.clientPfx, passphrase: sim.passphrase, ca: sim.ca, timeoutMs: 5000 } });
  });
  afterEach(async () => {
    await w?.close();
  });

  const start = () => api<ConsoleBankIdStart>(w.url, 'POST', '/console/api/bankid', {});
  const poll = (id: string) => api<ConsoleBankIdPoll & { error?: string }>(w.url, 'POST', `/console/api/bankid/${id}/collect`, {});

  it('opens a console session for the system administrator who has the personal number, once', async () => {
    const s = await start();
    expect(s.status).toBe(200);
    expect(s.body.qr).toMatch(/^bankid\.[^.]+\.0\.[0-9a-f]{64}$/);
    expect(JSON.stringify(s.body)).not.toMatch(/qrStartSecret|orderRef/);
    const pending = await poll(s.body.id);
    expect(pending.body.status).toBe('pending');
    // The QR the server shows is the one BankID expects.
    if (pending.body.status === 'pending') expect((await sim.control.scanQr(pending.body.qr)).ok).toBe(true);
    await sim.control.complete({ personalNumber: '198112189876' });
    const done = await poll(s.body.id);
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('complete');
    if (done.body.status !== 'complete') return;
    expect(done.body.session.user.id).toBe(w.sysadminId);
    expect(done.body.session.method).toBe('bankid');
    expect((await w.con(done.body.session.token, 'GET', '/me')).status).toBe(200);
    // The finished order cannot open a second session.
    expect((await poll(s.body.id)).status).toBe(404);
    const act = await w.con<ActivityPage>(done.body.session.token, 'GET', `/activity?userId=${w.sysadminId}&action=auth.login&limit=1`);
    expect(act.body.rows[0]).toMatchObject({ outcome: 'ok', details: { method: 'bankid', surface: 'console' } });
  });

  it('confirms a desk\'s BankID login with its own collect when it has a BankID connection', async () => {
    const sys = await w.consoleToken();
    const c = await w.clinic('BankID');
    const dev = await w.enrol(c.clinicId);
    const pn = personnummer();
    const userId = await w.createUser(sys, { clinicId: c.clinicId, username: 'hanna.h', displayName: 'Hanna H', role: 'staff', personnummer: pn });
    // The desk's side, with the same relying-party certificate: start, the person signs, collect.
    const desk = new ServerBankId({ baseUrl: sim.url, pfx: sim.clientPfx, passphrase: sim.passphrase, ca: sim.ca });
    try {
      const order = await desk.auth('127.0.0.1');
      if (!order.ok) throw new Error(order.message);
      await sim.control.complete({ personalNumber: pn });
      const collected = await desk.collect(order.value.orderRef);
      expect(collected.ok && collected.value.status).toBe('complete');
      // A claim for another person with this order is refused: the server asked BankID itself.
      const other = await w.deskLogin(dev, { method: 'bankid', orderRef: order.value.orderRef, personalNumber: personnummer() });
      expect(other.status).toBe(401);
      expect(other.body.error).toBe('bankid_not_confirmed');
      // An order BankID never completed is refused too.
      const pending = await desk.auth('127.0.0.1');
      if (!pending.ok) throw new Error(pending.message);
      const early = await w.deskLogin(dev, { method: 'bankid', orderRef: pending.value.orderRef, personalNumber: pn });
      expect(early.status).toBe(401);
      // The true claim, with a fresh completed order.
      const again = await desk.auth('127.0.0.1');
      if (!again.ok) throw new Error(again.message);
      await sim.control.complete({ personalNumber: pn });
      const ok = await w.deskLogin(dev, { method: 'bankid', orderRef: again.value.orderRef, personalNumber: pn });
      expect(ok.status).toBe(200);
      expect(ok.body.userId).toBe(userId);
    } finally {
      desk.close();
    }
  });

  it('refuses a person without a system administrator account, and reports failed hint codes', async () => {
    const s = await start();
    await sim.control.complete({ personalNumber: '199001011239' });
    const r = await poll(s.body.id);
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('no_user_for_personnummer');
    // BankID's own RFA texts, which people know from every other BankID login.
    const rfa: Record<string, string> = {
      userCancel: 'Åtgärden avbruten.',
      expiredTransaction: 'BankID-appen svarar inte.',
      certificateErr: 'för gammalt eller spärrat',
      startFailed: 'Misslyckades att läsa av QR-koden.',
    };
    for (const hintCode of ['userCancel', 'expiredTransaction', 'certificateErr', 'startFailed']) {
      const o = await start();
      if (hintCode === 'userCancel') await sim.control.userCancel();
      else if (hintCode === 'expiredTransaction') await sim.control.expire();
      else await sim.control.fail({ hintCode });
      const f = await poll(o.body.id);
      expect(f.status).toBe(200);
      expect(f.body).toMatchObject({ status: 'failed', hintCode });
      expect((f.body as { message: string }).message).toContain(rfa[hintCode]);
    }
  });
});
