import keytar from 'keytar';
import { z } from 'zod';

/** The keychain entries Kassa uses, all under service "Kassa". Nothing else is ever stored there. */
export const SecretName = z.enum([
  'paynova.merchantId',
  'paynova.apiPassword',
  'paynova.secretKey',
  'twilio.accountSid',
  'twilio.authToken',
  'geoplugin.apiKey',
  'device.credential',
  'bankid.p12',
  'bankid.passphrase',
]);
export type SecretName = z.infer<typeof SecretName>;

export const KEYCHAIN_SERVICE = 'Kassa';

/** What the settings UI may see of a secret: whether it is there, and its last four characters. */
export interface SecretDescription {
  readonly name: SecretName;
  readonly present: boolean;
  /** Only for secrets long enough that four characters reveal nothing useful (≥ 12). */
  readonly last4: string | null;
}

export class MissingSecretError extends Error {
  constructor(readonly secret: SecretName) {
    super(`The secret ${secret} is not set up in the keychain`);
    this.name = 'MissingSecretError';
  }
}

/**
 * Secrets live in the OS keychain only (ARCHITECTURE.md "Integrations"): never in SQLite, settings
 * files, logs or activity records. `service` is configurable so tests use their own entries.
 */
export class SecretStore {
  constructor(private readonly service: string = KEYCHAIN_SERVICE) {}

  async get(name: SecretName): Promise<string | null> {
    return keytar.getPassword(this.service, SecretName.parse(name));
  }

  async require(name: SecretName): Promise<string> {
    const value = await this.get(name);
    if (value === null || value === '') throw new MissingSecretError(name);
    return value;
  }

  async set(name: SecretName, value: string): Promise<void> {
    SecretName.parse(name);
    if (typeof value !== 'string' || value.length === 0 || value.length > 64 * 1024) throw new Error(`The secret ${name} must be a non-empty string`);
    await keytar.setPassword(this.service, name, value);
  }

  async delete(name: SecretName): Promise<boolean> {
    return keytar.deletePassword(this.service, SecretName.parse(name));
  }

  /** For the settings screen: presence and last four only, never the value. */
  async describe(): Promise<SecretDescription[]> {
    const out: SecretDescription[] = [];
    for (const name of SecretName.options) {
      const value = await keytar.getPassword(this.service, name);
      const present = value !== null && value !== '';
      // Binary material (bankid.p12) and short values get no hint at all.
      const hint = present && name !== 'bankid.p12' && name !== 'bankid.passphrase' && value.length >= 12 ? value.slice(-4) : null;
      out.push({ name, present, last4: hint });
    }
    return out;
  }

  /** Every stored secret value, so tests and audits can prove none of them leaked into a file. */
  async allValues(): Promise<string[]> {
    const creds = await keytar.findCredentials(this.service);
    return creds.map((c) => c.password).filter((v) => v.length > 0);
  }

  async paynovaCredentials(): Promise<{ merchantId: string; apiPassword: string }> {
    return { merchantId: await this.require('paynova.merchantId'), apiPassword: await this.require('paynova.apiPassword') };
  }

  async twilioCredentials(): Promise<{ accountSid: string; authToken: string }> {
    return { accountSid: await this.require('twilio.accountSid'), authToken: await this.require('twilio.authToken') };
  }
}
