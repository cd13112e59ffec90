import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrder, getMoneyEvents, getOrder, updateDraftOrder, cancelOrder, creditOrder } from '../../../src-main/services/orders';
import { createPatient, getPatient, updatePatient } from '../../../src-main/services/patients';
import { createInvoiceSeries } from '../../../src-main/services/invoice-series';
import { issueInvoice } from '../../../src-main/services/invoices';
import {
  DB_KINDS, orderInput, patientInput, recordPayment, serverEntities, startServer, type Desk, type RunningServer, type TestBackend, type TestClinic, startTwoDesks, stopTwoDesks,
} from './support/harness';
import { unwrap as must } from '../../../src-shared/domain/result';

describe.each(DB_KINDS)('offline edits on two desks converge (%s)', (kind) => {
  let backend: TestBackend;
  let server: RunningServer;
  let clinic: TestClinic;
  let a: Desk;
  let b: Desk;

  beforeEach(async () => {
    ({ backend, server, clinic, a, b } = await startTwoDesks(kind));
    must(await createInvoiceSeries(a.store, a.actor, { prefix: 'A', ocrCode: 11 }));
    must(await createInvoiceSeries(b.store, b.actor, { prefix: 'B', ocrCode: 22 }));
  });

  afterEach(() => stopTwoDesks({ backend, server, clinic, a, b }));

  it('merges draft fields, keeps money append-only, and explains a refused transition to both desks', async () => {
    // Online: A registers a patient and three orders; B learns of them.
    const p = must(await createPatient(a.store, a.actor, patientInput())).patient;
    const draft = must(await createOrder(a.store, a.actor, orderInput(p.id, clinic.priceItemId))).order;
    const paid = must(await createOrder(a.store, a.actor, orderInput(p.id))).order;
    const open = must(await createOrder(a.store, a.actor, orderInput(p.id))).order;
    must(await issueInvoice(a.store, a.actor, { orderId: paid.id, paymentOption: { kind: 'invoice14' } }));
    must(await issueInvoice(a.store, a.actor, { orderId: open.id, paymentOption: { kind: 'invoice14' } }));
    await a.engine.syncOnce();
    expect((await recordPayment(server.url, clinic.clinicId, paid.id, paid.total)).body).toMatchObject({ applied: true });
    await a.engine.syncOnce();
    await b.engine.syncOnce();
    expect((await getOrder(b.store, b.actor, paid.id))?.status).toBe('paid');
    expect(b.engine.status()).toMatchObject({ online: true, pending: 0, rejected: 0 });

    // The server goes away: both desks keep working.
    const port = server.port;
    await server.close();
    must(await updateDraftOrder(a.store, a.actor, { id: draft.id, patch: { note: 'Från A' } }));
    must(await updateDraftOrder(b.store, b.actor, { id: draft.id, patch: { clinician: 'Dr B' } }));
    must(await updatePatient(b.store, b.actor, { id: p.id, patch: { phone: '+46709999999' } }));
    const q = must(await createPatient(a.store, a.actor, patientInput())).patient;
    const aNew = must(await createOrder(a.store, a.actor, orderInput(q.id))).order;
    const bNew = must(await createOrder(b.store, b.actor, orderInput(p.id))).order;
    must(await issueInvoice(b.store, b.actor, { orderId: bNew.id, paymentOption: { kind: 'invoice14' } }));
    // The race: both desks annul the same invoice offline, for different reasons.
    must(await cancelOrder(a.store, a.actor, { orderId: open.id, reason: 'paid_elsewhere' }));
    must(await cancelOrder(b.store, b.actor, { orderId: open.id, reason: 'wrong_invoice' }));
    // And a money event on the paid order from B (a partial credit) while A is offline.
    must(await creditOrder(b.store, b.actor, { orderId: paid.id, creditId: randomUUID(), amount: 10_000, reason: 'goodwill' }));

    await expect(a.engine.syncOnce()).rejects.toThrow(/cannot be reached/);
    expect(a.engine.status()).toMatchObject({ online: false, pending: 4 });
    expect(a.engine.status().lastError).toMatch(/cannot be reached/);

    // Reconnect (same database, same port) and sync in any order.
    server = await startServer(backend, {}, port);
    await a.engine.syncOnce();
    await b.engine.syncOnce();
    await a.engine.syncOnce();

    // A's cancel reached the server first; B's cancel of the same order is refused by the state
    // machine, kept on B with the reason, and announced to both desks as a notice.
    expect(a.engine.rejectedMutations()).toEqual([]);
    const rejected = b.engine.rejectedMutations();
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ name: 'order.cancel', code: 'conflict' });
    expect(rejected[0]!.reason).toMatch(/cancelled/);
    for (const desk of [a, b]) {
      const notice = desk.store.sqlite.prepare(`SELECT data FROM sync_entities WHERE entity = 'notice' AND id = ?`).get(rejected[0]!.mutationId) as { data: string } | undefined;
      expect(JSON.parse(notice!.data)).toMatchObject({ kind: 'rejected_mutation', code: 'conflict' });
    }
    expect(b.engine.status()).toMatchObject({ pending: 0, rejected: 1 });

    // Everything converged: both desks show exactly the server's state.
    const serverOrders = await serverEntities(server.app, clinic.clinicId, 'order');
    expect(serverOrders).toHaveLength(5);
    for (const row of serverOrders) {
      const doc = JSON.parse(row.data) as Record<string, unknown>;
      const onA = await getOrder(a.store, a.actor, row.id);
      const onB = await getOrder(b.store, b.actor, row.id);
      expect(onA).toEqual(doc);
      expect(onB).toEqual(doc);
    }
    const merged = await getOrder(a.store, a.actor, draft.id);
    expect(merged).toMatchObject({ note: 'Från A', clinician: 'Dr B', status: 'draft' });
    expect((await getOrder(b.store, b.actor, open.id))).toMatchObject({ status: 'cancelled', statusReason: 'paid_elsewhere' });
    expect((await getOrder(a.store, a.actor, paid.id))).toMatchObject({ status: 'paid', creditedTotal: 10_000 });
    expect((await getOrder(a.store, a.actor, aNew.id))?.status).toBe('draft');
    expect((await getOrder(a.store, a.actor, bNew.id))?.status).toBe('invoiced');
    for (const pid of [p.id, q.id]) {
      const doc = JSON.parse((await serverEntities(server.app, clinic.clinicId, 'patient')).find((r) => r.id === pid)!.data);
      expect(await getPatient(a.store, a.actor, pid)).toEqual(doc);
      expect(await getPatient(b.store, b.actor, pid)).toEqual(doc);
    }
    // Money events: every server event is on both desks; the credit exists once everywhere.
    const serverMoney = (await serverEntities(server.app, clinic.clinicId, 'money_event')).map((r) => JSON.parse(r.data) as { id: string; kind: string; orderId: string });
    for (const desk of [a, b]) {
      const local = [...(await getMoneyEvents(desk.store, desk.actor, paid.id)), ...(await getMoneyEvents(desk.store, desk.actor, open.id))];
      for (const e of serverMoney) expect(local.map((l) => l.id)).toContain(e.id);
      expect(local.filter((l) => l.kind === 'credit')).toHaveLength(1);
    }
  });
});
