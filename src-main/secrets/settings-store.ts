import Conf from 'conf';
import { err, ok, type Result } from '../../src-shared/domain/result';
import { formatZodError } from '../../src-shared/schemas/errors';
import { ProviderSettings, type ProviderSettingsInput } from '../../src-shared/schemas/providers';

export interface SettingsError {
  readonly code: 'settings.invalid' | 'settings.looks_like_secret';
  readonly message: string;
  readonly field?: string;
}

export interface SettingsStoreOptions {
  /** Directory of the settings file. Electron passes app.getPath('userData'); tests a temp dir. */
  readonly cwd: string;
  /** File name without extension; electron-store's default is "config". */
  readonly configName?: string;
}

/** Keys whose names say "secret"; their values belong in the keychain (SecretStore). */
const SECRET_KEY_NAME = /(password|passwd|secret|token|apikey|api_key|credential|private|passphrase|p12|authkey)/i;
/** Values that look like credentials whatever their key: Twilio auth tokens / account SIDs, PEM, JWTs, long random strings. */
const SECRET_VALUE = [
  /^[0-9a-f]{32}$/i, // Twilio auth token
  /^AC[0-9a-f]{32}$/i, // Twilio account SID (an identifier, but paired with the token it is a login)
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/, // JWT
  /^(sk|pk|rk)_(live|test)_/,
];

/** Walks a settings object and names the first place that looks like a secret. */
export function findSecretLike(value: unknown, path: string[] = []): string | null {
  if (typeof value === 'string') {
    if (SECRET_VALUE.some((re) => re.test(value.trim()))) return path.join('.') || '(root)';
    // A URL with user:password@ carries a credential.
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]+:[^/@\s]+@/i.test(value)) return path.join('.') || '(root)';
    return null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findSecretLike(value[i], [...path, String(i)]);
      if (hit) return hit;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_KEY_NAME.test(k) && v !== null && v !== '') return [...path, k].join('.');
      const hit = findSecretLike(v, [...path, k]);
      if (hit) return hit;
    }
  }
  return null;
}

/**
 * Non-secret provider settings (base URLs, sender id, templates, intervals, language), on `conf`:
 * the same JSON file electron-store writes, so the Electron build and the browser host share it.
 * Every read is validated: a hand-edited file is outside input.
 */
export class SettingsStore {
  private readonly conf: Conf<Record<string, unknown>>;

  constructor(options: SettingsStoreOptions) {
    this.conf = new Conf<Record<string, unknown>>({
      cwd: options.cwd,
      configName: options.configName ?? 'config',
      // Never silently wipe a file a clinic admin edited; read() reports it instead.
      clearInvalidConfig: false,
      configFileMode: 0o600,
    });
  }

  get path(): string {
    return this.conf.path;
  }

  read(): Result<ProviderSettings, SettingsError> {
    const raw = this.conf.get('providers', {});
    const secret = findSecretLike(raw);
    if (secret) return err({ code: 'settings.looks_like_secret', message: `The settings file holds what looks like a secret at ${secret}; move it to the keychain`, field: secret });
    const parsed = ProviderSettings.safeParse(raw);
    if (!parsed.success) return err({ code: 'settings.invalid', message: `Settings are invalid: ${formatZodError(parsed.error)}`, field: parsed.error.issues[0]?.path.join('.') ?? '(root)' });
    return ok(parsed.data);
  }

  /** Defaults when the file is missing or broken, so the app can start and show the problem. */
  readOrDefaults(): ProviderSettings {
    const r = this.read();
    return r.ok ? r.value : ProviderSettings.parse({});
  }

  /** Validates the whole result and refuses anything that looks like a secret before writing. */
  update(patch: ProviderSettingsInput): Result<ProviderSettings, SettingsError> {
    const secret = findSecretLike(patch);
    if (secret) return err({ code: 'settings.looks_like_secret', message: `Refusing to store ${secret} in the settings file: secrets go in the keychain`, field: secret });
    const current = (this.conf.get('providers', {}) ?? {}) as Record<string, unknown>;
    const merged = deepMerge(current, patch as Record<string, unknown>);
    const parsed = ProviderSettings.safeParse(merged);
    if (!parsed.success) return err({ code: 'settings.invalid', message: formatZodError(parsed.error), field: parsed.error.issues[0]?.path.join('.') ?? '(root)' });
    this.conf.set('providers', parsed.data);
    return ok(parsed.data);
  }
}

function deepMerge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? deepMerge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}
