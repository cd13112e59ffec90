import { PatientCreate, PatientUpdate } from '../../src-shared/schemas/commands';
import type { Patient } from '../../src-shared/schemas/entities';
import type { Db } from '../db/activity-chain';
import type { LocalStore } from '../db/open';
import { patientColumns, patientToRow, rowToPatient } from '../db/queries/mappers';
import type { Actor } from './actor';
import { parseInput, serviceError, type ServiceResult } from './errors';
import { commitCommand, refuse, runWrite, type WriteOptions } from './write';

export interface WriteOutcome {
  readonly mutationSeq: number;
  readonly mutationId: string;
}

/** patient.create: a new patient of the actor's clinic, personnummer stored canonical (12 digits). */
export async function createPatient(store: LocalStore, actor: Actor, input: unknown, options: WriteOptions<{ patient: Patient } & WriteOutcome> = {}): Promise<ServiceResult<{ patient: Patient } & WriteOutcome>> {
  const parsed = parseInput(PatientCreate, input);
  if (!parsed.ok) return parsed;
  const command = parsed.value;
  const now = options.now ?? new Date();
  const at = now.toISOString();
  const patient: Patient = {
    id: command.id,
    clinicId: actor.clinicId,
    personnummer: command.personnummer,
    firstName: command.firstName.normalize('NFC'),
    lastName: command.lastName.normalize('NFC'),
    phone: command.phone,
    email: command.email,
    address: command.address,
    language: command.language,
    smsConsent: command.smsConsent,
    smsBlockedReason: null,
    createdAt: at,
    updatedAt: at,
  };
  return runWrite(store, async (trx) => {
    const existing = await trx
      .selectFrom('patients')
      .select('id')
      .where('clinic_id', '=', actor.clinicId)
      .where('personnummer', '=', patient.personnummer)
      .executeTakeFirst();
    if (existing) refuse(serviceError('duplicate', 'personnummer: a patient with this personnummer is already registered', 'personnummer'));
    await trx.insertInto('patients').values(patientToRow(patient)).execute();
    const m = await commitCommand(store, trx, actor, 'patient.create', command, `patient:${patient.id}`, {}, now);
    return { patient, mutationSeq: m.seq, mutationId: m.mutationId };
  }, options.also);
}

/**
 * patient.update: field-level patch. A change of name or phone is copied onto the patient's
 * orders in the same transaction, so lists and search never show the old name.
 */
export async function updatePatient(store: LocalStore, actor: Actor, input: unknown, options: WriteOptions<{ patient: Patient } & WriteOutcome> = {}): Promise<ServiceResult<{ patient: Patient } & WriteOutcome>> {
  const parsed = parseInput(PatientUpdate, input);
  if (!parsed.ok) return parsed;
  const command = parsed.value;
  const now = options.now ?? new Date();
  return runWrite(store, async (trx) => {
    const row = await trx.selectFrom('patients').selectAll().where('id', '=', command.id).where('clinic_id', '=', actor.clinicId).executeTakeFirst();
    if (!row) return refuse(serviceError('not_found', 'id: no such patient in this clinic', 'id'));
    const before = rowToPatient(row);
    const { patch } = command;
    const patient: Patient = {
      ...before,
      ...(patch.firstName !== undefined ? { firstName: patch.firstName.normalize('NFC') } : {}),
      ...(patch.lastName !== undefined ? { lastName: patch.lastName.normalize('NFC') } : {}),
      ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
      ...(patch.email !== undefined ? { email: patch.email } : {}),
      ...(patch.address !== undefined ? { address: patch.address } : {}),
      ...(patch.language !== undefined ? { language: patch.language } : {}),
      ...(patch.smsConsent !== undefined ? { smsConsent: patch.smsConsent } : {}),
      updatedAt: now.toISOString(),
    };
    const { local_id: _l, id: _i, clinic_id: _c, created_at: _ca, ...changes } = patientToRow(patient);
    await trx.updateTable('patients').set(changes).where('id', '=', patient.id).execute();
    const denormalizedChanged =
      patient.firstName !== before.firstName || patient.lastName !== before.lastName || patient.phone !== before.phone;
    if (denormalizedChanged) {
      await trx.updateTable('orders').set(patientColumns(patient)).where('patient_id', '=', patient.id).execute();
    }
    const m = await commitCommand(store, trx, actor, 'patient.update', command, `patient:${patient.id}`, { fields: Object.keys(patch).join(',') }, now);
    return { patient, mutationSeq: m.seq, mutationId: m.mutationId };
  }, options.also);
}

export async function getPatient(store: LocalStore, actor: Actor, id: string): Promise<Patient | null> {
  return readPatient(store.db, actor, id);
}

/** getPatient on a given connection: inside a write's transaction (an `also` hook) pass its `trx`. */
export async function readPatient(db: Db, actor: Actor, id: string): Promise<Patient | null> {
  const row = await db.selectFrom('patients').selectAll().where('id', '=', id).where('clinic_id', '=', actor.clinicId).executeTakeFirst();
  return row ? rowToPatient(row) : null;
}
