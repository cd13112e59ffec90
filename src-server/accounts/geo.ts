import { isIP } from 'node:net';
import { GeoPluginResponse } from '../../src-shared/schemas/providers';

/**
 * The server's own geoPlugin lookup for logins. The desk's client (src-main/integrations/geoplugin)
 * cannot be imported here (src-server may not import src-main, ARCHITECTURE.md), so this is a
 * small fetch-based twin with the same rules: skip private/loopback addresses without a request,
 * cache answers per IP, stay well under 120 requests/minute, time out fast, never throw. Any
 * failure is "unknown", which the service settings' country policy decides about.
 */
export interface GeoOptions {
  /** http://www.geoplugin.net in production; the sandbox's URL in tests and `npm start`. */
  readonly baseUrl: string;
  readonly timeoutMs?: number;
  readonly perMinute?: number;
  readonly cacheTtlMs?: number;
}

export type GeoAnswer = { country: string; source: 'network' | 'cache' } | { country: null; reason: 'skipped' | 'rate_limited' | 'unavailable' | 'no_data' | 'disabled' };

function isPrivate(ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return true;
  if (family === 6) {
    const l = ip.toLowerCase();
    const first = parseInt(l.split(':')[0] || '0', 16);
    return l === '::1' || l === '::' || (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00;
  }
  const [a = 0, b = 0] = ip.split('.').map(Number);
  return a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || a >= 224;
}

export class ServerGeo {
  private readonly cache = new Map<string, { country: string | null; expires: number }>();
  private readonly calls: number[] = [];
  private blockedUntil = 0;

  constructor(private readonly opts: GeoOptions | null) {}

  async countryOf(rawIp: string): Promise<GeoAnswer> {
    if (!this.opts) return { country: null, reason: 'disabled' };
    const ip = rawIp.trim().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
    if (isPrivate(ip)) return { country: null, reason: 'skipped' };
    const now = Date.now();
    const hit = this.cache.get(ip);
    if (hit && hit.expires > now) return hit.country ? { country: hit.country, source: 'cache' } : { country: null, reason: 'no_data' };
    while (this.calls.length && this.calls[0]! < now - 60_000) this.calls.shift();
    if (now < this.blockedUntil || this.calls.length >= (this.opts.perMinute ?? 60)) return { country: null, reason: 'rate_limited' };
    this.calls.push(now);
    try {
      const url = new URL('/json.gp', this.opts.baseUrl);
      url.searchParams.set('ip', ip);
      const res = await fetch(url, { signal: AbortSignal.timeout(this.opts.timeoutMs ?? 2000), redirect: 'manual' });
      if (res.status === 429 || res.status === 403) {
        this.blockedUntil = now + 60_000;
        return { country: null, reason: 'rate_limited' };
      }
      if (!res.ok) return { country: null, reason: 'unavailable' };
      const body = GeoPluginResponse.safeParse(JSON.parse(await res.text()));
      if (!body.success) return { country: null, reason: 'unavailable' };
      const status = body.data.geoplugin_status;
      const code = body.data.geoplugin_countryCode?.trim().toUpperCase();
      const country = (status === 200 || status === 206) && code && /^[A-Z]{2}$/.test(code) ? code : null;
      if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(ip, { country, expires: now + (this.opts.cacheTtlMs ?? 6 * 3600_000) });
      return country ? { country, source: 'network' } : { country: null, reason: 'no_data' };
    } catch {
      return { country: null, reason: 'unavailable' };
    }
  }
}
