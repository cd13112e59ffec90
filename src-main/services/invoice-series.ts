import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import { nextInvoiceNumber, ocrForInvoice, SERIES_PREFIX_RE, INVOICE_OCR_MAX_CODE } from '../../src-shared/domain/invoice-series';
import { appendActivity, type Db } from '../db/activity-chain';
import type { LocalStore } from '../db/open';
import type { InvoiceSeriesTable } from '../db/tables/core';
import type { Actor } from './actor';
import { parseInput, serviceError, type ServiceResult } from './errors';
import { refuse, runWrite, type Trx } from './write';

/**
 * Each desk device owns one invoice series (ARCHITECTURE.md invariant 6) so it can issue offline.
 * The series row is the only source of the next number, and it advances only inside the
 * transaction that writes the invoice: a refused or crashed issue rolls the number back with it,
 * so the series is gap-free, and because it is a committed row it survives restarts.
 */
export const SeriesSetup = z
  .object({
    id: z.string().min(1).max(64).optional(),
    prefix: z.string().regex(SERIES_PREFIX_RE, 'must be 1–8 characters A–Z or 0–9'),
    ocrCode: z.number().int('must be a whole number').min(1, 'must be at least 1').max(INVOICE_OCR_MAX_CODE, `must be at most ${INVOICE_OCR_MAX_CODE}`),
  })
  .strict();
export type SeriesSetup = z.input<typeof SeriesSetup>;
export type SeriesRow = Selectable<InvoiceSeriesTable>;

/** Gives this device its series (prefix and OCR code are assigned centrally when the desk is enrolled). */
export async function createInvoiceSeries(store: LocalStore, actor: Actor, input: unknown, now = new Date()): Promise<ServiceResult<SeriesRow>> {
  const parsed = parseInput(SeriesSetup, input);
  if (!parsed.ok) return parsed;
  const setup = parsed.value;
  return runWrite(store, async (trx) => {
    const existing = await deviceSeries(trx, actor);
    if (existing) refuse(serviceError('duplicate', `prefix: this device already issues from series ${existing.prefix}`, 'prefix'));
    const at = now.toISOString();
    const row = await trx
      .insertInto('invoice_series')
      .values({ id: setup.id ?? randomUUID(), clinic_id: actor.clinicId, device_id: actor.deviceId, prefix: setup.prefix, ocr_code: setup.ocrCode, created_at: at, updated_at: at })
      .returningAll()
      .executeTakeFirstOrThrow();
    // Device setup, not a user command: recorded in the activity chain, not sent as a mutation.
    await appendActivity(
      trx,
      actor.deviceId,
      {
        clinicId: actor.clinicId, actorUserId: actor.userId, action: 'invoice_series.create', subject: `invoice_series:${row.id}`, outcome: 'ok',
        country: null, ip: null, details: { prefix: row.prefix, ocrCode: row.ocr_code },
      },
      now,
    );
    return row;
  });
}

export async function deviceSeries(db: Db, actor: Actor): Promise<SeriesRow | undefined> {
  return db.selectFrom('invoice_series').selectAll().where('device_id', '=', actor.deviceId).where('clinic_id', '=', actor.clinicId).executeTakeFirst();
}

export interface AllocatedNumber {
  seriesId: string;
  sequence: number;
  invoiceNumber: string;
  ocr: string;
}

/**
 * Takes the next number of this device's series. MUST run inside the issuing transaction. The
 * guarded UPDATE (last_number = what we read) makes a concurrent allocation fail loudly instead
 * of handing out the same number twice.
 */
export async function allocateInvoiceNumber(trx: Trx, actor: Actor, now: Date): Promise<AllocatedNumber> {
  const series = await deviceSeries(trx, actor);
  if (!series) return refuse(serviceError('no_invoice_series', 'This desk has no invoice series yet; it is assigned when the desk is enrolled', 'seriesId'));
  const next = nextInvoiceNumber({ seriesId: series.id, prefix: series.prefix, lastNumber: series.last_number });
  const ocr = ocrForInvoice(series.ocr_code, next.number);
  if (!ocr.ok) return refuse(serviceError('validation', `seriesId: ${ocr.error.message}`, 'seriesId', { reason: ocr.error.code }));
  const moved = await trx
    .updateTable('invoice_series')
    .set({ last_number: next.number, updated_at: now.toISOString() })
    .where('id', '=', series.id)
    .where('last_number', '=', series.last_number)
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) throw new Error('The invoice series moved under a running transaction');
  return { seriesId: series.id, sequence: next.number, invoiceNumber: next.invoiceNumber, ocr: ocr.value };
}
