import { describe, expect, it } from 'vitest';
import { CountryPolicy, countryDecision, DEFAULT_SERVICE_SETTINGS, lockSeconds, LockoutPolicy, offlineLoginAllowed, type UserVerifier } from '../../../src-shared/schemas/accounts';

describe('account rules shared by server and desk', () => {
  it('decides every country case per policy', () => {
    const p = (o: Partial<CountryPolicy>) => CountryPolicy.parse(o);
    expect(DEFAULT_SERVICE_SETTINGS.countries).toEqual({ allowedCountries: ['SE'], outside: 'refuse', unknown: 'flag' });
    expect(countryDecision(p({}), 'SE')).toEqual({ decision: 'allow', country: 'SE', flagged: false });
    expect(countryDecision(p({}), 'US')).toEqual({ decision: 'refuse', country: 'US', flagged: true, why: 'outside' });
    expect(countryDecision(p({ outside: 'flag' }), 'US')).toEqual({ decision: 'flag', country: 'US', flagged: true, why: 'outside' });
    expect(countryDecision(p({ allowedCountries: ['SE', 'NO'] }), 'NO').decision).toBe('allow');
    expect(countryDecision(p({}), null)).toEqual({ decision: 'flag', country: null, flagged: true, why: 'unknown' });
    expect(countryDecision(p({ unknown: 'refuse' }), null).decision).toBe('refuse');
    expect(countryDecision(p({ unknown: 'allow' }), null)).toEqual({ decision: 'allow', country: null, flagged: false });
    expect(CountryPolicy.safeParse({ allowedCountries: [] }).success).toBe(false);
    expect(CountryPolicy.safeParse({ allowedCountries: ['se'] }).success).toBe(false);
  });

  it('locks from the n-th failure in a row, doubling up to the ceiling', () => {
    const policy = LockoutPolicy.parse({});
    expect([0, 1, 4, 5, 6, 7, 8, 12, 40].map((n) => lockSeconds(policy, n))).toEqual([0, 0, 0, 30, 60, 120, 240, 3600, 3600]);
    const strict = LockoutPolicy.parse({ maxFailures: 3, baseLockSeconds: 10, maxLockSeconds: 60 });
    expect([2, 3, 4, 5, 6].map((n) => lockSeconds(strict, n))).toEqual([0, 10, 20, 40, 60]);
  });

  it('allows offline login only inside the window, for an active user who has logged in online', () => {
    const v: UserVerifier = {
      userId: '8b0b4f4e-7b43-4e5a-9a55-2f7d1c1f0a11', clinicId: '5f1d3b3e-2c4a-4a0a-8f0e-1a2b3c4d5e6f', username: 'anna', role: 'staff', active: true,
      passwordHash: 'scrypt$16384$8$1$a$b', pinHash: 'scrypt$16384$8$1$c$d', mustChange: false, lastOnlineLoginAt: '2026-03-01T08:00:00.000Z', offlineUntil: '2026-03-04T08:00:00.000Z',
    };
    expect(offlineLoginAllowed(v, new Date('2026-03-04T07:59:59Z'))).toEqual({ ok: true });
    expect(offlineLoginAllowed(v, new Date('2026-03-04T08:00:00Z'))).toEqual({ ok: false, reason: 'expired' });
    expect(offlineLoginAllowed({ ...v, active: false }, new Date('2026-03-02T00:00:00Z'))).toEqual({ ok: false, reason: 'disabled' });
    expect(offlineLoginAllowed({ ...v, passwordHash: null }, new Date('2026-03-02T00:00:00Z'))).toEqual({ ok: false, reason: 'disabled' });
    expect(offlineLoginAllowed({ ...v, mustChange: true }, new Date('2026-03-02T00:00:00Z'))).toEqual({ ok: false, reason: 'must_change' });
    expect(offlineLoginAllowed({ ...v, offlineUntil: null }, new Date('2026-03-02T00:00:00Z'))).toEqual({ ok: false, reason: 'never_online' });
  });
});
