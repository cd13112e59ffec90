import { z } from 'zod';
import { InstallmentMonths, Language, Role } from './enums';
import { CanonicalPersonnummer, Id, NonNegativeOre, User } from './entities';

/**
 * Accounts (issue 6): what a password and a PIN must look like, the service settings a system
 * administrator edits in the console, the offline verifier a desk receives through sync, and the
 * pure rules (country policy, offline window, lockout backoff) that server and desk both apply.
 */

export const NewPassword = z.string().min(10, 'must be at least 10 characters').max(200, 'must be at most 200 characters');
export const NewPin = z.string().regex(/^\d{4,8}$/, 'must be 4–8 digits');
export const CountryCode = z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code like SE');

// ---------------------------------------------------------------------------------------------
// Service settings (one document, edited by the system administrator)

export const CountryPolicy = z
  .object({
    allowedCountries: z.array(CountryCode).min(1, 'must list at least one country').max(250).default(['SE']),
    /** A login from a country outside the list. */
    outside: z.enum(['refuse', 'flag']).default('refuse'),
    /** geoPlugin is down, rate limited, or the address is private: no country is known. */
    unknown: z.enum(['allow', 'flag', 'refuse']).default('flag'),
  })
  .strict();
export type CountryPolicy = z.infer<typeof CountryPolicy>;

export const SessionLimits = z
  .object({
    /** Console: logged out after this long without a request. */
    consoleIdleMinutes: z.number().int().min(5).max(24 * 60).default(30),
    /** Console: logged out after this long whatever happens. */
    consoleMaxHours: z.number().int().min(1).max(72).default(8),
    /** Offline login on a desk: allowed until this long after the user's last online login. */
    offlineLoginHours: z.number().int().min(0, 'must be 0 (no offline login) or more').max(30 * 24).default(72),
  })
  .strict();
export type SessionLimits = z.infer<typeof SessionLimits>;

export const LockoutPolicy = z
  .object({
    /** Wrong answers in a row (password and PIN counted separately) before a lock. */
    maxFailures: z.number().int().min(3).max(20).default(5),
    /** The first lock; each further failure doubles it up to maxLockSeconds. */
    baseLockSeconds: z.number().int().min(5).max(3600).default(30),
    maxLockSeconds: z.number().int().min(60).max(7 * 24 * 3600).default(3600),
  })
  .strict();
export type LockoutPolicy = z.infer<typeof LockoutPolicy>;

export const InstallmentTerms = z
  .object({
    months: z.array(InstallmentMonths).min(1, 'must offer at least one term').max(5).default([3, 6, 12, 18, 24]),
    annualInterestBp: z.number().int().min(0).max(4000).default(0),
    setupFee: NonNegativeOre.max(100_000).default(29_500),
    monthlyFee: NonNegativeOre.max(10_000).default(3_900),
  })
  .strict();
export type InstallmentTerms = z.infer<typeof InstallmentTerms>;

export const SmsTemplateName = z.enum(['invoice_issued', 'payment_received', 'plan_started', 'reminder', 'overdue', 'cancelled', 'credited']);
export type SmsTemplateName = z.infer<typeof SmsTemplateName>;
const TemplateText = z.string().trim().min(1, 'is required').max(480, 'must be at most 480 characters (3 SMS segments)');
export const SmsTemplate = z.object({ sv: TemplateText, en: TemplateText }).strict();

const DEFAULT_TEMPLATES: Record<SmsTemplateName, { sv: string; en: string }> = {
  invoice_issued: { sv: 'Faktura {invoiceNumber} från {clinic}: {amount}, förfaller {dueDate}. OCR {ocr}. Betala: {link}', en: 'Invoice {invoiceNumber} from {clinic}: {amount}, due {dueDate}. OCR {ocr}. Pay: {link}' },
  payment_received: { sv: 'Tack! Vi har tagit emot {amount} för faktura {invoiceNumber}. /{clinic}', en: 'Thank you! We received {amount} for invoice {invoiceNumber}. /{clinic}' },
  plan_started: { sv: 'Din delbetalning på {months} månader har startat: {monthly}/mån. /{clinic}', en: 'Your {months}-month installment plan has started: {monthly}/month. /{clinic}' },
  reminder: { sv: 'Påminnelse: faktura {invoiceNumber} på {amount} förfaller {dueDate}. /{clinic}', en: 'Reminder: invoice {invoiceNumber} of {amount} is due {dueDate}. /{clinic}' },
  overdue: { sv: 'Faktura {invoiceNumber} är förfallen. Betala {amount} snarast. /{clinic}', en: 'Invoice {invoiceNumber} is overdue. Please pay {amount}. /{clinic}' },
  cancelled: { sv: 'Faktura {invoiceNumber} är makulerad. /{clinic}', en: 'Invoice {invoiceNumber} has been cancelled. /{clinic}' },
  credited: { sv: 'Faktura {invoiceNumber} har krediterats med {amount}. /{clinic}', en: 'Invoice {invoiceNumber} was credited {amount}. /{clinic}' },
};

export const ServiceSettings = z
  .object({
    installments: InstallmentTerms.default(InstallmentTerms.parse({})),
    /** Påminnelseavgift: at most 60 kr by law (1981:739). */
    reminderFee: NonNegativeOre.max(6000, 'must be at most 60 kr (6000 öre)').default(6000),
    /** Dröjsmålsränta: the Riksbank reference rate plus this many basis points (8 pp by law). */
    lateInterestMarginBp: z.number().int().min(0).max(2000).default(800),
    referenceRateBp: z.number().int().min(-500).max(2000).default(200),
    smsTemplates: z.record(SmsTemplateName, SmsTemplate).default(DEFAULT_TEMPLATES),
    countries: CountryPolicy.default(CountryPolicy.parse({})),
    sessions: SessionLimits.default(SessionLimits.parse({})),
    lockout: LockoutPolicy.default(LockoutPolicy.parse({})),
  })
  .strict();
export type ServiceSettings = z.infer<typeof ServiceSettings>;
export const DEFAULT_SERVICE_SETTINGS: ServiceSettings = ServiceSettings.parse({});

// ---------------------------------------------------------------------------------------------
// Login by location

export type CountryDecision =
  | { readonly decision: 'allow'; readonly country: string | null; readonly flagged: false }
  | { readonly decision: 'flag'; readonly country: string | null; readonly flagged: true; readonly why: 'outside' | 'unknown' }
  | { readonly decision: 'refuse'; readonly country: string | null; readonly flagged: true; readonly why: 'outside' | 'unknown' };

/** What a login from `country` (null = unknown) gets under `policy`. */
export function countryDecision(policy: CountryPolicy, country: string | null): CountryDecision {
  if (country === null) {
    if (policy.unknown === 'allow') return { decision: 'allow', country, flagged: false };
    return { decision: policy.unknown, country, flagged: true, why: 'unknown' };
  }
  if (policy.allowedCountries.includes(country)) return { decision: 'allow', country, flagged: false };
  return { decision: policy.outside, country, flagged: true, why: 'outside' };
}

// ---------------------------------------------------------------------------------------------
// Lockout

/** How long a secret stays locked after `failures` wrong answers in a row (0 = not locked). */
export function lockSeconds(policy: LockoutPolicy, failures: number): number {
  if (failures < policy.maxFailures) return 0;
  const doublings = Math.min(failures - policy.maxFailures, 30);
  return Math.min(policy.maxLockSeconds, policy.baseLockSeconds * 2 ** doublings);
}

// ---------------------------------------------------------------------------------------------
// Offline login on the desk

/**
 * What the change feed carries (entity `user_verifier`, id = user id) so a desk can check a
 * password and PIN while the server is unreachable. Hashes are "scrypt$N$r$p$salt$hash"
 * (base64url salt and key, NFKC-normalised secret, 32-byte key): never plaintext. A disabled
 * user arrives with active=false and no hashes, so the next sync ends offline logins too.
 */
export const UserVerifier = z.object({
  userId: Id,
  clinicId: Id,
  username: User.shape.username,
  role: Role,
  active: z.boolean(),
  passwordHash: z.string().startsWith('scrypt$').nullable(),
  pinHash: z.string().startsWith('scrypt$').nullable(),
  /** A first login or an admin reset must change the secret online first. */
  mustChange: z.boolean(),
  lastOnlineLoginAt: z.string().datetime().nullable(),
  /** Offline login is refused after this instant; null = never online yet (or offline disabled). */
  offlineUntil: z.string().datetime().nullable(),
});
export type UserVerifier = z.infer<typeof UserVerifier>;

export type OfflineRefusal = 'disabled' | 'never_online' | 'must_change' | 'expired';

/** Whether a desk may log this user in offline at `now` (the secret check itself is scrypt). */
export function offlineLoginAllowed(v: UserVerifier, now: Date): { ok: true } | { ok: false; reason: OfflineRefusal } {
  if (!v.active || v.passwordHash === null || v.pinHash === null) return { ok: false, reason: 'disabled' };
  if (v.mustChange) return { ok: false, reason: 'must_change' };
  if (v.offlineUntil === null) return { ok: false, reason: 'never_online' };
  if (Date.parse(v.offlineUntil) <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Account management inputs (the desk's clinic admin and the console share them)

export const AccountCreate = z
  .object({
    /** null only for a system administrator. */
    clinicId: Id.nullable(),
    username: User.shape.username,
    displayName: User.shape.displayName,
    role: Role,
    personnummer: CanonicalPersonnummer.nullable().default(null),
    language: Language.default('sv'),
    /** Temporary: the user must change both at the first login. */
    password: NewPassword,
    pin: NewPin,
  })
  .strict();
export type AccountCreate = z.infer<typeof AccountCreate>;

export const AccountUpdate = z
  .object({
    displayName: User.shape.displayName.optional(),
    role: Role.optional(),
    personnummer: CanonicalPersonnummer.nullable().optional(),
    language: Language.optional(),
    active: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'must change at least one field', path: ['(root)'] });
export type AccountUpdate = z.infer<typeof AccountUpdate>;

/** An admin reset: what is not given is generated; both must be changed at the next login. */
export const AccountReset = z
  .object({ password: z.boolean().default(true), pin: z.boolean().default(true) })
  .strict()
  .refine((v) => v.password || v.pin, { message: 'must reset the password, the PIN or both', path: ['password'] });

export const SecretChange = z
  .object({
    username: z.string().trim().toLowerCase().min(1, 'is required').max(40),
    password: z.string().min(1, 'is required').max(200),
    pin: z.string().regex(/^\d{4,8}$/, 'must be 4–8 digits'),
    newPassword: NewPassword,
    newPin: NewPin.optional(),
  })
  .strict()
  .refine((v) => v.newPassword !== v.password, { message: 'must differ from the current password', path: ['newPassword'] });
export type SecretChange = z.infer<typeof SecretChange>;

/** A user as account management shows it: never a hash. */
export const AccountView = User.extend({
  mustChange: z.boolean(),
  lastLoginAt: z.string().nullable(),
  lastLoginCountry: z.string().nullable(),
  lockedUntil: z.string().nullable(),
  createdAt: z.string(),
});
export type AccountView = z.infer<typeof AccountView>;

/**
 * A desk's personal-ID login: the desk's main process ran the BankID flow; the server accepts it
 * only from an enrolled device (device credential), only once per orderRef, and only for a user of
 * that device's clinic with this personnummer on file (see src-server/accounts/README.md).
 */
export const BankIdDeskLogin = z.object({
  method: z.literal('bankid'),
  orderRef: z.string().min(8).max(100),
  personalNumber: CanonicalPersonnummer,
});
export type BankIdDeskLogin = z.infer<typeof BankIdDeskLogin>;

/**
 * The part of the service settings the server publishes to every clinic's desks (entity
 * `service_settings`, id `service`; src-server/accounts/settings.ts publishServiceSettings): no
 * lockout internals, no country policy (both are the server's to enforce).
 */
export const DeskServiceSettings = ServiceSettings.pick({ installments: true, reminderFee: true, lateInterestMarginBp: true, referenceRateBp: true, smsTemplates: true, sessions: true });
export type DeskServiceSettings = z.infer<typeof DeskServiceSettings>;
export const SERVICE_SETTINGS_ENTITY_ID = 'service';
