import { randomUUID } from 'node:crypto';
import { ApiError, type OrderRow, type PatientSummary } from '../../../src-shared/api';
import { listPatients } from '../../db/queries/patients';
import { createPatient, getPatient, updatePatient } from '../../services/patients';
import { actorOf, type CoreDeps } from '../deps';
import type { Handlers } from '../dispatch';
import { unwrapService, notFound } from '../errors';
import { orderRows } from './orders';

const RECEIVABLE = `('invoiced','overdue','installments','paid','completed')`;

/** Balance and order count for a page of patients, in one grouped query. */
function patientTotals(deps: CoreDeps, clinicId: string, ids: readonly string[]): Map<string, { balance: number; orders: number }> {
  const out = new Map<string, { balance: number; orders: number }>();
  if (ids.length === 0) return out;
  const rows = deps.store.sqlite
    .prepare(
      `SELECT patient_id AS id, count(*) AS n,
         sum(CASE WHEN status IN ${RECEIVABLE} THEN total - paid_total - credited_total ELSE 0 END) AS balance
       FROM orders WHERE clinic_id = ? AND patient_id IN (${ids.map(() => '?').join(',')}) GROUP BY patient_id`,
    )
    .all(clinicId, ...ids) as { id: string; n: number; balance: number | null }[];
  for (const r of rows) out.set(r.id, { balance: Number(r.balance ?? 0), orders: Number(r.n) });
  return out;
}

export function patientHandlers(deps: CoreDeps): Pick<Handlers, 'patients.list' | 'patients.get' | 'patients.create' | 'patients.update' | 'patients.lookupAddress'> {
  return {
    'patients.list': async (input, ctx) => {
      const actor = actorOf(deps, ctx.session);
      const page = unwrapService(await listPatients(deps.store, actor, { search: input.search, limit: input.limit, cursor: input.cursor }));
      const totals = patientTotals(deps, actor.clinicId, page.rows.map((r) => r.id));
      const items: PatientSummary[] = page.rows.map((r) => ({
        id: r.id, personnummer: r.personnummer, firstName: r.firstName, lastName: r.lastName, phone: r.phone, language: r.language,
        smsConsent: r.smsConsent, smsBlockedReason: r.smsBlockedReason, balance: totals.get(r.id)?.balance ?? 0, orderCount: totals.get(r.id)?.orders ?? 0,
      }));
      return { items, nextCursor: page.nextCursor };
    },
    'patients.get': async (input, ctx) => {
      const actor = actorOf(deps, ctx.session);
      const patient = await getPatient(deps.store, actor, input.id);
      if (!patient) throw notFound('patient');
      const orders: OrderRow[] = await orderRows(deps, actor, { patientId: patient.id, limit: 500 });
      return { patient, orders, balance: patientTotals(deps, actor.clinicId, [patient.id]).get(patient.id)?.balance ?? 0 };
    },
    'patients.create': async (input, ctx) => {
      const actor = actorOf(deps, ctx.session);
      const r = unwrapService(await createPatient(deps.store, actor, { ...input, id: randomUUID() }));
      deps.afterWrite();
      return { id: r.patient.id };
    },
    'patients.update': async (input, ctx) => {
      unwrapService(await updatePatient(deps.store, actorOf(deps, ctx.session), input));
      deps.afterWrite();
      return { ok: true as const };
    },
    'patients.lookupAddress': async (input) => {
      if (!deps.providers) throw new ApiError('unavailable', 'Address lookup needs the Paynova connection, which is not set up.');
      const r = await deps.providers.paynova.lookupAddress(input.personnummer);
      if (!r.ok) {
        if (r.error.code === 'paynova.validation' || r.error.code === 'paynova.customer_profile_not_found') return null;
        throw new ApiError('unavailable', `The address could not be looked up: ${r.error.message}`);
      }
      const a = r.value;
      if (!a.firstName && !a.street1) return null;
      const postal = a.postalCode?.replace(/^(\d{3})(\d{2})$/, '$1 $2') ?? null;
      return {
        firstName: a.firstName ?? '',
        lastName: a.lastName ?? '',
        address: a.street1 && postal && a.city ? { street: a.street1, postalCode: postal, city: a.city, countryCode: a.countryCode ?? 'SE' } : null,
      };
    },
  };
}
