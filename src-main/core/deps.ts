import type { LocalStore } from '../db/open';
import type { PaynovaClient } from '../integrations/paynova/client';
import type { SmsClient } from '../integrations/twilio/client';
import type { JobRunner } from '../jobs/runner';
import type { SecretStore } from '../secrets/secret-store';
import type { SettingsStore } from '../secrets/settings-store';
import type { Actor } from '../services/actor';
import type { SyncEngine } from '../sync/engine';
import { ApiError } from '../../src-shared/api';
import type { CoreSession } from './dispatch';
import type { UserPrefs } from './prefs';

/** Everything the handlers use, built once by the composition root. */
export interface CoreDeps {
  readonly store: LocalStore;
  readonly secrets: SecretStore;
  readonly settings: SettingsStore;
  readonly prefs: UserPrefs;
  readonly sync: SyncEngine | null;
  readonly serverUrl: string | null;
  readonly providers: { runner: JobRunner; paynova: PaynovaClient; sms: SmsClient } | null;
  readonly providersMode: 'sandbox' | 'live';
  /** Where the patient pays (the SMS link); the provider's payment page in production. */
  readonly paymentLinkBase: string;
  /** Wakes the job runner and the sync loop after a local write. */
  afterWrite(): void;
}

export function deviceId(deps: CoreDeps): string {
  const id = deps.sync?.identity().deviceId;
  if (!id) throw new ApiError('unavailable', 'This desk is not enrolled with a sync server yet.');
  return id;
}

/** The actor of a local write: the session's user on this desk's device. */
export function actorOf(deps: CoreDeps, session: CoreSession): Actor {
  const clinicId = session.user.clinicId ?? session.clinic?.id;
  if (!clinicId) throw new ApiError('forbidden', 'This user does not belong to a clinic and cannot work at a desk.');
  return { userId: session.user.id, clinicId, role: session.user.role, deviceId: deviceId(deps) };
}

/** A server-confirmed entity the change feed carried (users, the clinic, notices live only here). */
export function feedEntity(deps: CoreDeps, entity: string, id: string): Record<string, unknown> | null {
  const row = deps.store.sqlite.prepare(`SELECT data FROM sync_entities WHERE entity = ? AND id = ?`).get(entity, id) as { data: string } | undefined;
  return row ? (JSON.parse(row.data) as Record<string, unknown>) : null;
}

export function feedEntities(deps: CoreDeps, entity: string): Record<string, unknown>[] {
  const rows = deps.store.sqlite.prepare(`SELECT data FROM sync_entities WHERE entity = ?`).all(entity) as { data: string }[];
  return rows.map((r) => JSON.parse(r.data) as Record<string, unknown>);
}
