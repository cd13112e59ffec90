import type { Db } from '../db/activity-chain';
import { appendActivity } from '../db/activity-chain';

/**
 * What a provider client reports after every call: facts only (operation, outcome, codes),
 * never credentials, bodies or personal data, so it can go straight into an activity record.
 */
export interface ProviderCallEvent {
  readonly provider: 'paynova' | 'twilio' | 'geoplugin';
  readonly operation: string;
  readonly outcome: 'ok' | 'failed' | 'refused';
  readonly subject: string | null;
  readonly durationMs: number;
  readonly errorCode?: string;
  readonly errorNumber?: number;
  readonly statusKey?: string;
  readonly httpStatus?: number;
}

export type ProviderCallListener = (event: ProviderCallEvent) => void | Promise<void>;

export interface ActivityTarget {
  readonly db: Db;
  readonly chainId: string;
  readonly clinicId: string;
  readonly actorUserId?: string | null;
}

/** Activity action for a provider call: "provider.paynova.create_order". */
export function providerAction(provider: string, operation: string): string {
  return `provider.${provider}.${operation.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()}`;
}

export async function recordProviderCall(target: ActivityTarget, event: ProviderCallEvent, extra: Record<string, string | number | boolean | null> = {}): Promise<void> {
  const details: Record<string, string | number | boolean | null> = { durationMs: Math.round(event.durationMs), ...extra };
  if (event.errorCode !== undefined) details.errorCode = event.errorCode;
  if (event.errorNumber !== undefined) details.errorNumber = event.errorNumber;
  if (event.statusKey !== undefined) details.statusKey = event.statusKey;
  if (event.httpStatus !== undefined) details.httpStatus = event.httpStatus;
  await appendActivity(target.db, target.chainId, {
    clinicId: target.clinicId,
    actorUserId: target.actorUserId ?? null,
    action: providerAction(event.provider, event.operation),
    subject: event.subject,
    outcome: event.outcome,
    country: null,
    ip: null,
    details,
  });
}

/** A listener that writes each call outcome as an activity record (for calls made outside jobs). */
export function activityListener(target: ActivityTarget): ProviderCallListener {
  return (event) => recordProviderCall(target, event);
}
