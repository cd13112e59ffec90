import { ApiError, SecretKey, type SecretView, type SettingsView } from '../../../src-shared/api';
import { Clinic } from '../../../src-shared/schemas/entities';
import { appendActivity } from '../../db/activity-chain';
import { actorOf, feedEntities, type CoreDeps } from '../deps';
import type { CoreSession, Handlers } from '../dispatch';
import { clinicDetails } from './orders';

async function describeSecrets(deps: CoreDeps): Promise<SecretView[]> {
  const all = await deps.secrets.describe();
  return SecretKey.options.map((key) => {
    const d = all.find((s) => s.name === key);
    return { key, set: d?.present ?? false, masked: d?.last4 ?? null, updatedAt: null };
  });
}

/** A settings change is an activity record: who changed which setting (never the value). */
async function audit(deps: CoreDeps, session: CoreSession, action: string, details: Record<string, string>) {
  const actor = actorOf(deps, session);
  await appendActivity(deps.store.db, actor.deviceId, { clinicId: actor.clinicId, actorUserId: actor.userId, action, subject: `clinic:${actor.clinicId}`, outcome: 'ok', country: null, ip: null, details });
}

export function settingsHandlers(deps: CoreDeps): Pick<Handlers, 'settings.get' | 'settings.updateClinic' | 'settings.updateSmsTemplates' | 'secrets.set' | 'secrets.clear' | 'activity.list' | 'prefs.get' | 'prefs.set'> {
  return {
    'settings.get': async (_input, ctx) => {
      const actor = actorOf(deps, ctx.session);
      const d = clinicDetails(deps, actor.clinicId);
      const clinic = Clinic.safeParse({
        id: d.id, name: d.name, organisationNumber: d.organisationNumber, vatNumber: d.vatNumber, bankgiro: d.bankgiro, phone: d.phone, email: d.email, address: d.address, active: true,
      });
      const view: SettingsView = {
        clinic: clinic.success ? clinic.data : null,
        clinicEditable: false,
        smsTemplates: deps.settings.readOrDefaults().sms.templates,
        syncServerUrl: deps.serverUrl,
        deviceId: deps.sync?.identity().deviceId ?? null,
        secrets: await describeSecrets(deps),
        providersMode: deps.providersMode,
      };
      return view;
    },
    'settings.updateClinic': () => {
      throw new ApiError('not_implemented', 'Clinic details are maintained centrally; editing them arrives with the console (issue 6).');
    },
    'settings.updateSmsTemplates': async (input, ctx) => {
      const r = deps.settings.update({ sms: { templates: input } });
      if (!r.ok) throw new ApiError('validation', r.error.message, r.error.field);
      await audit(deps, ctx.session, 'settings.sms_templates', { templates: Object.keys(input).join(',') });
      return { ok: true as const };
    },
    'secrets.set': async (input, ctx) => {
      await deps.secrets.set(input.key, input.value);
      await audit(deps, ctx.session, 'settings.secret_set', { key: input.key });
      return (await describeSecrets(deps)).find((s) => s.key === input.key)!;
    },
    'secrets.clear': async (input, ctx) => {
      await deps.secrets.delete(input.key);
      await audit(deps, ctx.session, 'settings.secret_cleared', { key: input.key });
      return (await describeSecrets(deps)).find((s) => s.key === input.key)!;
    },
    'activity.list': async (input, ctx) => {
      const actor = actorOf(deps, ctx.session);
      const who = new Map<string, string>();
      for (const u of feedEntities(deps, 'user')) if (typeof u.id === 'string' && typeof u.displayName === 'string') who.set(u.id, u.displayName);
      let q = deps.store.db.selectFrom('activity').selectAll().where('clinic_id', '=', actor.clinicId);
      if (input.action) q = q.where('action', 'like', `${input.action.replace(/[%_]/g, '')}%`);
      if (input.actorUserId) q = q.where('actor_user_id', '=', input.actorUserId);
      if (input.outcome) q = q.where('outcome', '=', input.outcome);
      if (input.from) q = q.where('at', '>=', input.from);
      if (input.to) q = q.where('at', '<', `${input.to}T23:59:59.999Z`);
      if (input.search) {
        const like = `%${input.search.replace(/[%_]/g, '')}%`;
        q = q.where((eb) => eb.or([eb('action', 'like', like), eb('subject', 'like', like), eb('details', 'like', like)]));
      }
      if (input.cursor) q = q.where('at', '<', input.cursor);
      const rows = await q.orderBy('at', 'desc').orderBy('seq', 'desc').limit(input.limit + 1).execute();
      const page = rows.slice(0, input.limit);
      return {
        items: page.map((r) => ({
          id: r.id, at: r.at, action: r.action, subject: r.subject, outcome: r.outcome as 'ok', country: r.country, actorUserId: r.actor_user_id,
          details: JSON.parse(r.details) as Record<string, string | number | boolean | null>, actorName: r.actor_user_id ? (who.get(r.actor_user_id) ?? null) : null,
        })),
        nextCursor: rows.length > input.limit ? (page[page.length - 1]?.at ?? null) : null,
      };
    },
    'prefs.get': (input, ctx) => deps.prefs.get(ctx.session.user.id, input.key),
    'prefs.set': (input, ctx) => {
      deps.prefs.set(ctx.session.user.id, input.key, input.value);
      return { ok: true as const };
    },
  };
}
