import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { moveOrder } from '../src-shared/domain/order-state';
import { PriceItem, User, type Order, type MoneyEvent } from '../src-shared/schemas/entities';
import { Role } from '../src-shared/schemas/enums';
import { hashPassword } from './auth/crypto';
import type { ServerDb } from './db/connect';
import { inClinicTransaction } from './sync/transact';

/**
 * Server-side administration used by the bootstrap admin API (and later by the console and the
 * accounts issue). Every write to a clinic's data also writes its change feed, so desks see users,
 * the price list and settings arrive through pull like everything else.
 */

export const ClinicInput = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  settings: z.record(z.string(), z.unknown()).default({}),
});

export async function createClinic(sdb: ServerDb, input: z.input<typeof ClinicInput>): Promise<string> {
  const parsed = ClinicInput.parse(input);
  const id = randomUUID();
  const now = new Date().toISOString();
  await sdb.db.insertInto('clinics').values({ id, name: parsed.name, settings: JSON.stringify(parsed.settings), change_seq: 0, created_at: now }).execute();
  await inClinicTransaction(sdb, id, async (w) => {
    w.put('clinic', id, { id, name: parsed.name, settings: parsed.settings }, null);
  });
  return id;
}

export async function updateClinicSettings(sdb: ServerDb, clinicId: string, settings: Record<string, unknown>): Promise<void> {
  await inClinicTransaction(sdb, clinicId, async (w, trx) => {
    const row = await trx.selectFrom('clinics').select(['name']).where('id', '=', clinicId).executeTakeFirstOrThrow();
    await trx.updateTable('clinics').set({ settings: JSON.stringify(settings) }).where('id', '=', clinicId).execute();
    w.put('clinic', clinicId, { id: clinicId, name: row.name, settings }, null);
  });
}

export const UserInput = z.object({
  username: User.shape.username,
  displayName: User.shape.displayName,
  role: Role,
  password: z.string().min(10, 'must be at least 10 characters').max(200),
  pin: z.string().regex(/^\d{4,8}$/, 'must be 4–8 digits'),
  language: User.shape.language.default('sv'),
  /** For BankID login (canonical 12 digits); the demo clinic gives its users one. */
  personnummer: User.shape.personnummer.default(null),
});

/** Creates a user of a clinic. The feed carries the user WITHOUT any secret or verifier. */
export async function createUser(sdb: ServerDb, clinicId: string, input: z.input<typeof UserInput>): Promise<string> {
  const u = UserInput.parse(input);
  const id = randomUUID();
  const [passwordHash, pinHash] = await Promise.all([hashPassword(u.password), hashPassword(u.pin)]);
  await inClinicTransaction(sdb, clinicId, async (w, trx) => {
    const now = new Date().toISOString();
    await trx
      .insertInto('users')
      .values({
        id, clinic_id: clinicId, username: u.username, display_name: u.displayName, role: u.role, personnummer: u.personnummer,
        language: u.language, active: 1, password_hash: passwordHash, pin_hash: pinHash, created_at: now, updated_at: now,
      })
      .execute();
    const pub: User = { id, clinicId, username: u.username, displayName: u.displayName, role: u.role, personnummer: u.personnummer, language: u.language, active: true };
    w.put('user', id, pub, null);
  });
  return id;
}

export const PriceItemInput = PriceItem.omit({ clinicId: true }).partial({ id: true, active: true });

export async function upsertPriceItem(sdb: ServerDb, clinicId: string, input: z.input<typeof PriceItemInput>): Promise<string> {
  const p = PriceItemInput.parse(input);
  const item: PriceItem = { ...p, id: p.id ?? randomUUID(), active: p.active ?? true, clinicId };
  await inClinicTransaction(sdb, clinicId, async (w) => {
    w.put('price_item', item.id, item, null);
  });
  return item.id;
}

/**
 * A payment reported by the provider (Paynova webhook, later). Money that moved is never lost:
 * the payment event is always appended. If the desk has meanwhile cancelled the order, the status
 * stays cancelled and a notice tells every desk of the clinic that the payment must be refunded.
 */
export async function recordProviderPayment(
  sdb: ServerDb,
  clinicId: string,
  orderId: string,
  amount: number,
  paymentId: string = randomUUID(),
): Promise<{ applied: boolean; message: string }> {
  const { value } = await inClinicTransaction(sdb, clinicId, async (w, _trx, now) => {
    const doc = await w.get('order', orderId);
    if (!doc) throw new Error(`Unknown order ${orderId}`);
    const order = doc as unknown as Order;
    const event: MoneyEvent = { id: paymentId, orderId, clinicId, kind: 'payment', amount, reason: 'none', note: null, source: 'provider', at: now };
    w.put('money_event', paymentId, event, null);
    const paidTotal = order.paidTotal + amount;
    const moved = moveOrder(order, { type: 'payment_completed' }, now);
    if (moved.ok) {
      w.put('order', orderId, { ...order, paidTotal, status: moved.value.status, statusReason: moved.value.reason, ...(moved.value.activatedAt ? { activatedAt: moved.value.activatedAt } : {}), updatedAt: now }, null);
      return { applied: true, message: `Order ${order.orderNumber} is paid.` };
    }
    const message = `A payment of ${amount} öre arrived for order ${order.orderNumber}, which is ${order.status}. The status stays ${order.status}; the payment is recorded and must be refunded to the patient.`;
    w.put('order', orderId, { ...order, paidTotal, updatedAt: now }, null);
    w.put('notice', paymentId, { kind: 'payment_on_closed_order', orderId, message, at: now }, null);
    return { applied: false, message };
  });
  return value;
}
