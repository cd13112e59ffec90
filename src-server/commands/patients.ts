import { err, ok } from '../../src-shared/domain/result';
import { PatientCreate, PatientUpdate } from '../../src-shared/schemas/commands';
import type { Patient } from '../../src-shared/schemas/entities';
import { defineCommand } from './registry';

const DESK_ROLES = ['staff', 'clinic_admin', 'system_admin'] as const;

export const patientCommands = {
  'patient.create': defineCommand({
    schema: PatientCreate,
    roles: DESK_ROLES,
    reads: (input) => ({ creates: [['patient', input.id]], claims: [['personnummer', input.personnummer]] }),
    async apply(ctx, input) {
      if (await ctx.store.exists('patient', input.id)) return err({ code: 'already_exists', reason: `Patient ${input.id} already exists.`, field: 'id' });
      // Two desks registering the same person offline: the second is refused, not duplicated.
      if (!(await ctx.store.claimUnique('personnummer', input.personnummer, input.id))) {
        return err({ code: 'already_exists', reason: 'A patient with this personnummer is already registered in this clinic.', field: 'personnummer' });
      }
      const patient: Patient = {
        id: input.id,
        clinicId: ctx.clinicId,
        personnummer: input.personnummer,
        firstName: input.firstName,
        lastName: input.lastName,
        phone: input.phone,
        email: input.email,
        address: input.address,
        language: input.language,
        smsConsent: input.smsConsent,
        smsBlockedReason: null,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      };
      ctx.store.put('patient', patient.id, patient, ctx.mutationId);
      return ok(undefined);
    },
  }),

  // Field-level like drafts: each patch changes only its own fields, in server order.
  'patient.update': defineCommand({
    schema: PatientUpdate,
    roles: DESK_ROLES,
    reads: (input) => ({ entities: [['patient', input.id]] }),
    async apply(ctx, input) {
      const doc = await ctx.store.get('patient', input.id);
      if (!doc) return err({ code: 'not_found', reason: `Patient ${input.id} does not exist in this clinic.`, field: 'id' });
      const patient = { ...(doc as unknown as Patient), ...input.patch, updatedAt: ctx.now };
      ctx.store.put('patient', patient.id, patient, ctx.mutationId);
      return ok(undefined);
    },
  }),
};
