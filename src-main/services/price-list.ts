import { z } from 'zod';
import { PriceItem } from '../../src-shared/schemas/entities';
import type { LocalStore } from '../db/open';
import { priceItemToRow, rowToPriceItem } from '../db/queries/mappers';
import type { Actor } from './actor';
import { parseInput, type ServiceResult } from './errors';

/**
 * The clinic's price list is maintained centrally (clinic admins, on the server) and arrives
 * through sync; the desk only reads it when entering an order. So there is no local command:
 * `storePriceItems` is the entry point the pull side (or a first-run import) writes through.
 */
export async function listPriceItems(store: LocalStore, actor: Actor, options: { includeInactive?: boolean } = {}): Promise<PriceItem[]> {
  let q = store.db.selectFrom('price_items').selectAll().where('clinic_id', '=', actor.clinicId);
  if (!options.includeInactive) q = q.where('active', '=', 1);
  const rows = await q.orderBy('code').execute();
  return rows.map(rowToPriceItem);
}

/** Upserts price items by id (validated: this is outside input). Call inside the pull's transaction if there is one. */
export async function storePriceItems(store: LocalStore, items: unknown, now = new Date()): Promise<ServiceResult<number>> {
  const parsed = parseInput(z.array(PriceItem).max(10_000), items);
  if (!parsed.ok) return parsed;
  const at = now.toISOString();
  await store.db.transaction().execute(async (trx) => {
    for (const item of parsed.value) {
      const row = priceItemToRow(item, at);
      await trx
        .insertInto('price_items')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet({ code: row.code, name: row.name, unit_price: row.unit_price, vat_code: row.vat_code, active: row.active, updated_at: at }))
        .execute();
    }
  });
  return { ok: true, value: parsed.value.length };
}
