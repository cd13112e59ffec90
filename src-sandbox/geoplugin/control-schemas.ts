import { isIP } from 'node:net';
import { z } from 'zod';
import { COUNTRIES } from './countries';

const CountryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code');

export const SetCountryInput = z
  .object({
    ip: z.string().refine((ip) => isIP(ip) !== 0, 'must be an IPv4 or IPv6 address'),
    countryCode: CountryCode,
    /** Needed for codes outside the built-in table; otherwise taken from it. */
    countryName: z.string().min(1).max(100).optional(),
    city: z.string().max(100).optional(),
  })
  .strict()
  .refine((v) => v.countryName !== undefined || COUNTRIES[v.countryCode] !== undefined, {
    message: 'countryName is required for a country outside the built-in table',
    path: ['countryName'],
  });
export type SetCountryInput = z.infer<typeof SetCountryInput>;

export const RateLimitInput = z
  .object({
    /** Requests per window per caller before 429 (geoPlugin: 120/min). */
    perMinute: z.number().int().min(1).max(100_000).optional(),
    windowMs: z.number().int().min(10).max(3_600_000).optional(),
    /** How long a caller stays blocked once over the limit (geoPlugin: one hour). */
    blockMs: z.number().int().min(0).max(24 * 3_600_000).optional(),
  })
  .strict();
export type RateLimitInput = z.infer<typeof RateLimitInput>;

export const OptionsInput = z
  .object({
    /** Send geoplugin_status as a string, like the newer API. */
    statusAsString: z.boolean().optional(),
    /** Country for public IPs nobody configured. */
    defaultCountry: CountryCode.refine((c) => COUNTRIES[c] !== undefined, 'must be in the built-in table').optional(),
    /** Keys of the paid tier (k=...): callers using one are not rate limited. */
    paidKeys: z.array(z.string().min(1).max(100)).max(100).optional(),
  })
  .strict();
export type OptionsInput = z.infer<typeof OptionsInput>;
