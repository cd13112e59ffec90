import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { luhnCheckDigit } from '../../src-shared/domain/luhn';
import { openLocalStore, type LocalStore } from '../../src-main/db/open';
import type { Actor } from '../../src-main/services/actor';
import { orderToRow, patientToRow } from '../../src-main/db/queries/mappers';
import type { Order, Patient } from '../../src-shared/schemas/entities';

/** A real SQLite file in its own temp dir; reopen() closes and opens the same file (a restart). */
export interface TempStore {
  store: LocalStore;
  readonly file: string;
  reopen(): Promise<LocalStore>;
  cleanup(): Promise<void>;
}

export async function openTempStore(): Promise<TempStore> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-store-'));
  const file = join(dir, 'desk.sqlite');
  const handle: TempStore = {
    store: await openLocalStore(file),
    file,
    async reopen() {
      await handle.store.close();
      handle.store = await openLocalStore(file);
      return handle.store;
    },
    async cleanup() {
      await handle.store.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}

export const CLINIC_ID = '6f1c0a52-6b1d-4c36-9d8e-1f2a3b4c5d6e';
export const OTHER_CLINIC_ID = '0a0b0c0d-1111-4222-8333-944455566677';

export function testActor(overrides: Partial<Actor> = {}): Actor {
  return { userId: 'a7d4e2c1-1b2c-4d3e-8f90-0123456789ab', clinicId: CLINIC_ID, role: 'staff', deviceId: 'desk-1', ...overrides };
}

/** A valid canonical personnummer (12 digits) for index i: distinct for i < 900 × 28 × 12 × 80. */
export function makePersonnummer(i: number): string {
  const year = 1930 + (Math.floor(i / (900 * 28 * 12)) % 80);
  const month = 1 + (Math.floor(i / (900 * 28)) % 12);
  const day = 1 + (Math.floor(i / 900) % 28);
  const serial = 100 + (i % 900);
  const payload = `${String(year).slice(2)}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${serial}`;
  return `${year}${payload.slice(2)}${luhnCheckDigit(payload)}`;
}

export function patientCommand(i: number, overrides: Record<string, unknown> = {}) {
  return {
    id: randomUUID(),
    personnummer: makePersonnummer(i),
    firstName: 'Anna',
    lastName: `Testsson${i}`,
    phone: `+4670${String(1_000_000 + i).slice(-7)}`,
    ...overrides,
  };
}

export function orderCommand(patientId: string, overrides: Record<string, unknown> = {}) {
  return {
    id: randomUUID(),
    orderNumber: `ORD-${randomUUID().slice(0, 8).toUpperCase()}`,
    patientId,
    clinician: 'Dr Berg',
    lines: [
      { id: randomUUID(), description: 'Undersökning', quantity: 1, unitPrice: 85_000, vatCode: 'exempt' },
      { id: randomUUID(), description: 'Tandblekning', quantity: 2, unitPrice: 125_000, discountBp: 1000, vatCode: 'se25' },
    ],
    ...overrides,
  };
}

/** A patient row written straight through the mappers (as the pull side would), for list tests. */
export async function insertPatientRow(store: LocalStore, i: number, overrides: Partial<Patient> = {}): Promise<Patient> {
  const at = new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString();
  const p: Patient = {
    id: randomUUID(), clinicId: CLINIC_ID, personnummer: makePersonnummer(i), firstName: 'Anna', lastName: `Testsson${i}`, phone: null, email: null,
    address: null, language: 'sv', smsConsent: true, smsBlockedReason: null, createdAt: at, updatedAt: at, ...overrides,
  };
  await store.db.insertInto('patients').values(patientToRow(p)).execute();
  return p;
}

export interface SeedOrder {
  order: Order;
  patient: Patient;
  invoice: { id: string; invoiceNumber: string; issueDate: string; dueDate: string } | null;
  paidDate: string | null;
}

/** An order row written straight through the mappers with any status, for list/summary tests. */
export async function insertOrderRow(store: LocalStore, patient: Patient, o: Partial<Order>, extra: Partial<Omit<SeedOrder, 'order' | 'patient'>> = {}): Promise<SeedOrder> {
  const at = o.createdAt ?? new Date().toISOString();
  const order: Order = {
    id: randomUUID(), clinicId: CLINIC_ID, orderNumber: `ORD-${randomUUID().slice(0, 8).toUpperCase()}`, patientId: patient.id,
    createdByUserId: testActor().userId, clinician: null, note: null, status: 'draft', statusReason: 'none', paymentOption: null, total: 10_000,
    vatTotal: 0, creditedTotal: 0, paidTotal: 0, createdAt: at, updatedAt: at, lines: [], ...o,
  };
  const seed: SeedOrder = { order, patient, invoice: extra.invoice ?? null, paidDate: extra.paidDate ?? null };
  await store.db.insertInto('orders').values(orderToRow(order, { patient, invoice: seed.invoice, paidDate: seed.paidDate })).execute();
  return seed;
}
