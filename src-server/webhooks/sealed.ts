import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Provider secrets at rest: AES-256-GCM under the server key (KASSA_SERVER_SECRET_KEY, 32 bytes as
 * 64 hex digits or base64). The additional data binds a sealed value to its clinic and field, so
 * a value copied into another clinic's row (or the other field) does not open.
 */
export class ServerKeyError extends Error {}

const VERSION = 'v1';

export function parseServerKey(raw: string | undefined): Buffer {
  const value = raw?.trim() ?? '';
  if (value === '') throw new ServerKeyError('KASSA_SERVER_SECRET_KEY is not set: provider secrets cannot be stored or used on this server.');
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new ServerKeyError('KASSA_SERVER_SECRET_KEY must be 32 bytes (64 hex digits or base64).');
  return key;
}

export interface Sealer {
  seal(plain: string, context: string): string;
  open(sealed: string, context: string): string;
}

/** `key` is read lazily, so a server without one still starts; only provider secrets need it. */
export function createSealer(rawKey: () => string | undefined): Sealer {
  const key = () => parseServerKey(rawKey());
  return {
    seal(plain, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key(), iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
    },
    open(sealed, context) {
      const [version, iv, tag, data] = sealed.split(':');
      if (version !== VERSION || !iv || !tag || data === undefined) throw new ServerKeyError('A stored provider secret has an unknown format.');
      const decipher = createDecipheriv('aes-256-gcm', key(), Buffer.from(iv, 'base64'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
      } catch {
        throw new ServerKeyError('A stored provider secret does not open with KASSA_SERVER_SECRET_KEY (wrong key, or the value was moved).');
      }
    },
  };
}
