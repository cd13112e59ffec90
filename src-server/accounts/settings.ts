import { DEFAULT_SERVICE_SETTINGS, ServiceSettings } from '../../src-shared/schemas/accounts';
import type { ServerDb } from '../db/connect';
import { inClinicTransaction } from '../sync/transact';
import { accountsDb } from './schema';
import { stageUser } from './users';

const KEY = 'service';

/**
 * The service settings document. Read on every login (a few rows, no cache), so a change by the
 * system administrator applies to the next login on every server instance at once.
 */
export async function loadServiceSettings(sdb: ServerDb): Promise<ServiceSettings> {
  const row = await accountsDb(sdb.db).selectFrom('service_settings').select('data').where('key', '=', KEY).executeTakeFirst();
  if (!row) return DEFAULT_SERVICE_SETTINGS;
  // A document written by an older version gains the newer defaults instead of failing logins.
  const parsed = ServiceSettings.safeParse(JSON.parse(row.data));
  return parsed.success ? parsed.data : DEFAULT_SERVICE_SETTINGS;
}

/** Saves the settings and hands them to every clinic's desks through the change feed. */
export async function saveServiceSettings(sdb: ServerDb, settings: ServiceSettings, byUserId: string): Promise<void> {
  const now = new Date().toISOString();
  const data = JSON.stringify(settings);
  await accountsDb(sdb.db)
    .insertInto('service_settings')
    .values({ key: KEY, data, updated_at: now, updated_by: byUserId })
    .onConflict((oc) => oc.column('key').doUpdateSet({ data, updated_at: now, updated_by: byUserId }))
    .execute();
  const clinics = await sdb.db.selectFrom('clinics').select('id').execute();
  // The offline window of every verifier follows offlineLoginHours: republish the clinic's users.
  for (const c of clinics) await publishServiceSettings(sdb, c.id, settings, true);
}

/** What a desk needs of the service settings (no lockout internals), as the `service_settings` entity. */
export async function publishServiceSettings(sdb: ServerDb, clinicId: string, settings: ServiceSettings, withUsers = false): Promise<void> {
  await inClinicTransaction(sdb, clinicId, async (w, trx) => {
    if (withUsers) {
      const users = await accountsDb(trx).selectFrom('users').selectAll().where('clinic_id', '=', clinicId).execute();
      for (const u of users) stageUser(w, u, settings);
    }
    w.put('service_settings', KEY, { installments: settings.installments, reminderFee: settings.reminderFee, lateInterestMarginBp: settings.lateInterestMarginBp, referenceRateBp: settings.referenceRateBp, smsTemplates: settings.smsTemplates, sessions: settings.sessions }, null);
  });
}
