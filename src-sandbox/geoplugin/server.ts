import { isIP } from 'node:net';
import { z } from 'zod';
import { CONTROL_PREFIX, createSimServer, parseControl, type ProviderError, type SimServer } from '../common/sim-server';
import { OptionsInput, RateLimitInput, SetCountryInput } from './control-schemas';
import { COUNTRIES, USD_RATE, type CountryInfo } from './countries';
import { isNonPublicIp } from './ip';

export interface GeoPluginSimOptions {
  perMinute?: number;
  windowMs?: number;
  blockMs?: number;
}

export interface GeoPluginSim extends SimServer {
  /** Caller → request timestamps in the current window. */
  callers: Map<string, number[]>;
}

const CREDIT = "Some of the returned data includes GeoLite2 data created by MaxMind, available from <a href='https://www.maxmind.com'>https://www.maxmind.com</a>.";

const Query = z.object({
  ip: z.string().max(64).optional(),
  k: z.string().max(100).optional(),
  base_currency: z.string().regex(/^[A-Z]{3}$/).optional(),
});

/**
 * UNSURE: the body of geoPlugin's 429 (and of its 5xx) is not documented; clients must decide on
 * the HTTP status alone, so the sandbox sends plain text that a JSON parser rejects.
 */
function geoError(status: number, reason: string): ProviderError {
  const text = status === 429 ? 'Too many requests. Your IP has been blocked for one hour.' : `${status} ${reason}`;
  return { status, contentType: 'text/plain; charset=utf-8', body: text, ...(status === 429 ? { headers: { 'retry-after': '3600' } } : {}) };
}

export function createGeoPluginSim(opts: GeoPluginSimOptions = {}): GeoPluginSim {
  const overrides = new Map<string, { countryCode: string; info: CountryInfo }>();
  const callers = new Map<string, number[]>();
  const blockedUntil = new Map<string, number>();
  const settings = {
    perMinute: opts.perMinute ?? 120,
    windowMs: opts.windowMs ?? 60_000,
    blockMs: opts.blockMs ?? 3_600_000,
    statusAsString: false,
    defaultCountry: 'SE',
    paidKeys: [] as string[],
  };
  const defaults = { ...settings };

  const reset = () => {
    overrides.clear();
    callers.clear();
    blockedUntil.clear();
    Object.assign(settings, defaults, { paidKeys: [] });
  };

  const sim = createSimServer({
    name: 'geoplugin',
    bodyLimit: 16 * 1024,
    renderError: geoError,
    state: () => ({
      settings,
      overrides: Object.fromEntries([...overrides].map(([ip, v]) => [ip, { countryCode: v.countryCode, countryName: v.info.countryName, city: v.info.city }])),
      callers: Object.fromEntries([...callers].map(([ip, hits]) => [ip, hits.length])),
      blocked: Object.fromEntries([...blockedUntil].map(([ip, until]) => [ip, new Date(until).toISOString()])),
    }),
    reset,
  });
  const { app } = sim;

  /** Sliding window per caller; once over, the caller is blocked for blockMs. */
  function overLimit(caller: string): boolean {
    const now = Date.now();
    const until = blockedUntil.get(caller);
    if (until !== undefined && until > now) return true;
    const hits = (callers.get(caller) ?? []).filter((t) => t > now - settings.windowMs);
    hits.push(now);
    callers.set(caller, hits);
    if (hits.length > settings.perMinute) {
      if (settings.blockMs > 0) blockedUntil.set(caller, now + settings.blockMs);
      return true;
    }
    return false;
  }

  const status = (n: number) => (settings.statusAsString ? String(n) : n);

  function noData(ip: string) {
    return {
      geoplugin_request: ip,
      geoplugin_status: status(404),
      geoplugin_delay: '0ms',
      geoplugin_credit: CREDIT,
      geoplugin_city: null,
      geoplugin_region: null,
      geoplugin_regionCode: null,
      geoplugin_regionName: null,
      geoplugin_areaCode: null,
      geoplugin_dmaCode: null,
      geoplugin_countryCode: null,
      geoplugin_countryName: null,
      geoplugin_inEU: 0,
      geoplugin_euVATrate: false,
      geoplugin_continentCode: null,
      geoplugin_continentName: null,
      geoplugin_latitude: null,
      geoplugin_longitude: null,
      geoplugin_locationAccuracyRadius: null,
      geoplugin_timezone: null,
      geoplugin_currencyCode: null,
      geoplugin_currencySymbol: null,
      geoplugin_currencySymbol_UTF8: null,
      geoplugin_currencyConverter: null,
    };
  }

  function found(ip: string, countryCode: string, info: CountryInfo, baseCurrency: string) {
    const rate = (USD_RATE[info.currencyCode] ?? 1) / (USD_RATE[baseCurrency] ?? 1);
    return {
      geoplugin_request: ip,
      geoplugin_status: status(200),
      geoplugin_delay: '1ms',
      geoplugin_credit: CREDIT,
      geoplugin_city: info.city,
      geoplugin_region: info.region,
      geoplugin_regionCode: info.regionCode,
      geoplugin_regionName: info.region,
      geoplugin_areaCode: '',
      geoplugin_dmaCode: '',
      geoplugin_countryCode: countryCode,
      geoplugin_countryName: info.countryName,
      geoplugin_inEU: info.inEU,
      geoplugin_euVATrate: info.euVATrate,
      geoplugin_continentCode: info.continentCode,
      geoplugin_continentName: info.continentName,
      geoplugin_latitude: info.latitude,
      geoplugin_longitude: info.longitude,
      geoplugin_locationAccuracyRadius: '100',
      geoplugin_timezone: info.timezone,
      geoplugin_currencyCode: info.currencyCode,
      geoplugin_currencySymbol: info.currencySymbol,
      geoplugin_currencySymbol_UTF8: info.currencySymbol,
      geoplugin_currencyConverter: Math.round(rate * 10_000) / 10_000,
    };
  }

  app.get('/json.gp', async (request, reply) => {
    const caller = request.ip;
    const parsed = Query.safeParse(request.query);
    const query = parsed.success ? parsed.data : {};
    const paid = query.k !== undefined && settings.paidKeys.includes(query.k);
    if (!paid && overLimit(caller)) {
      const e = geoError(429, 'Too Many Requests');
      return reply.code(429).headers(e.headers ?? {}).type(e.contentType).send(e.body);
    }
    reply.type('application/json; charset=utf-8');
    const ip = query.ip ?? caller;
    // Malformed input gets what geoPlugin gives an address it knows nothing about: status 404.
    if (!parsed.success || isIP(ip) === 0 || isNonPublicIp(ip)) return noData(ip);
    const override = overrides.get(ip);
    const countryCode = override?.countryCode ?? settings.defaultCountry;
    const info = override?.info ?? COUNTRIES[countryCode]!;
    return found(ip, countryCode, info, query.base_currency ?? 'USD');
  });

  // ---------- control API ----------
  app.post(`${CONTROL_PREFIX}/ips`, async (request, reply) => {
    const input = parseControl(SetCountryInput, request.body, reply);
    if (!input) return reply;
    const base: CountryInfo = COUNTRIES[input.countryCode] ?? {
      ...COUNTRIES.SE!,
      countryName: input.countryName ?? input.countryCode,
      continentCode: '',
      continentName: '',
      inEU: 0,
      euVATrate: false,
    };
    const info: CountryInfo = { ...base, ...(input.countryName ? { countryName: input.countryName } : {}), ...(input.city ? { city: input.city } : {}) };
    overrides.set(input.ip, { countryCode: input.countryCode, info });
    return { ok: true };
  });
  app.post(`${CONTROL_PREFIX}/rate-limit`, async (request, reply) => {
    const input = parseControl(RateLimitInput, request.body, reply);
    if (!input) return reply;
    Object.assign(settings, input);
    callers.clear();
    blockedUntil.clear();
    return { perMinute: settings.perMinute, windowMs: settings.windowMs, blockMs: settings.blockMs };
  });
  app.post(`${CONTROL_PREFIX}/options`, async (request, reply) => {
    const input = parseControl(OptionsInput, request.body, reply);
    if (!input) return reply;
    Object.assign(settings, input);
    return { settings };
  });

  return { ...sim, callers };
}
