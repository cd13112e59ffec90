import { scrypt, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../../src-shared/api';
import { offlineLoginAllowed, UserVerifier, type OfflineRefusal } from '../../src-shared/schemas/accounts';
import { feedEntities, type CoreDeps } from './deps';

/**
 * Login while the sync server cannot be reached (issue 6): the clinic's users' verifiers arrive
 * through sync (scrypt hashes, never plaintext), and the server decides each user's offline window
 * (by default 72 h after the last online login). A disabled user's verifier has no hashes.
 */
const DUMMY = `scrypt$16384$8$1$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(32).toString('base64url')}`;

function scryptCheck(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return Promise.resolve(false);
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  return new Promise((resolve) => {
    scrypt(secret.normalize('NFKC'), Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 }, (e, key) =>
      resolve(!e && key.length === expected.length && timingSafeEqual(key, expected)),
    );
  });
}

/** Local lockout: offline guesses are throttled too, doubling from 30 s after 5 failures. */
const failures = new Map<string, { count: number; until: number }>();

const REFUSALS: Record<OfflineRefusal, string> = {
  disabled: 'This account may not log in.',
  never_online: 'This account has not logged in online on this clinic yet, so it cannot log in without the server.',
  must_change: 'The password must be changed online first.',
  expired: 'Logging in without the server is allowed only for a while after the last online login; connect to the server again.',
};

export async function verifyOffline(deps: CoreDeps, clinicId: string, username: string, password: string, pin: string, now = new Date()): Promise<UserVerifier> {
  const name = username.trim().toLowerCase();
  const lock = failures.get(name);
  if (lock && lock.until > now.getTime()) throw new ApiError('locked_out', 'Too many failed attempts on this desk. Wait a while and try again.');
  const v = feedEntities(deps, 'user_verifier')
    .map((raw) => UserVerifier.safeParse(raw))
    .flatMap((r) => (r.success ? [r.data] : []))
    .find((u) => u.username === name && u.clinicId === clinicId);
  // Both checks always run, against a dummy when there is nothing to compare: same cost either way.
  const [passwordOk, pinOk] = await Promise.all([scryptCheck(password, v?.passwordHash ?? DUMMY), scryptCheck(pin, v?.pinHash ?? DUMMY)]);
  if (!v || !passwordOk || !pinOk) {
    const count = (lock?.count ?? 0) + 1;
    failures.set(name, { count, until: count >= 5 ? now.getTime() + 30_000 * 2 ** Math.min(count - 5, 8) : 0 });
    // Unknown here and wrong secrets look the same, as on the server: no username is revealed.
    throw new ApiError('offline_invalid_credentials', 'Wrong username, password or PIN, or the account cannot log in without the server.');
  }
  failures.delete(name);
  const allowed = offlineLoginAllowed(v, now);
  if (!allowed.ok) throw new ApiError(`offline_${allowed.reason}`, REFUSALS[allowed.reason]);
  return v;
}
