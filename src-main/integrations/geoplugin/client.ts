import axios, { type AxiosInstance } from 'axios';

import { GeoPluginResponse } from '../../../src-shared/schemas/providers';
import type { ProviderCallListener } from '../provider-call';
import { TokenBucket } from './token-bucket';
import { skipReason } from './ip-ranges';

export interface GeoPluginOptions {
  readonly baseUrl: string;
  /** Short: a login never waits long for a country. */
  readonly timeoutMs: number;
  /** Well under geoPlugin's 120/min block threshold. */
  readonly perMinute: number;
  readonly cacheTtlMs: number;
  /** Paid tier key (`k=`), from the keychain. Optional. */
  readonly apiKey?: () => Promise<string | null>;
  readonly onCall?: ProviderCallListener;
  readonly now?: () => number;
  readonly maxCacheEntries?: number;
}

/**
 * Why no country: `skipped` (private, loopback, link-local or malformed: no request was made),
 * `rate_limited` (our bucket was empty, or geoPlugin said 429/403), `unavailable` (timeout, network,
 * 5xx), `no_data` (status 404 / no country in the answer).
 */
export type GeoLookup =
  | { readonly found: true; readonly country: string; readonly source: 'network' | 'cache' }
  | { readonly found: false; readonly country: 'unknown'; readonly reason: 'skipped' | 'rate_limited' | 'unavailable' | 'no_data'; readonly source: 'network' | 'cache' | 'none' };

/** Country of an IP via geoPlugin. Never throws, never blocks a login for long. */
export class GeoPluginClient {
  private readonly http: AxiosInstance;
  private readonly bucket: TokenBucket;
  private readonly cache = new Map<string, { value: GeoLookup; expires: number }>();
  private readonly now: () => number;

  constructor(private readonly options: GeoPluginOptions) {
    this.now = options.now ?? Date.now;
    this.http = axios.create({ baseURL: options.baseUrl.replace(/\/+$/, ''), timeout: options.timeoutMs, validateStatus: () => true, maxRedirects: 0 });
    this.bucket = new TokenBucket(options.perMinute, 60_000, this.now);
  }

  async countryOf(ip: string): Promise<GeoLookup> {
    const address = ip.trim().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
    if (skipReason(address)) return { found: false, country: 'unknown', reason: 'skipped', source: 'none' };
    const cached = this.cache.get(address);
    if (cached && cached.expires > this.now()) {
      const v = cached.value;
      return { ...v, source: 'cache' };
    }
    if (!this.bucket.take()) return { found: false, country: 'unknown', reason: 'rate_limited', source: 'none' };
    const result = await this.fetch(address);
    // Transient failures are not cached (the next login may succeed); answers are.
    if (result.found || result.reason === 'no_data') this.remember(address, result);
    return result;
  }

  private remember(ip: string, value: GeoLookup): void {
    const max = this.options.maxCacheEntries ?? 10_000;
    if (this.cache.size >= max) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(ip, { value, expires: this.now() + this.options.cacheTtlMs });
  }

  private async fetch(ip: string): Promise<GeoLookup> {
    const started = this.now();
    let outcome: GeoLookup;
    let httpStatus: number | undefined;
    try {
      const key = this.options.apiKey ? await this.options.apiKey() : null;
      const response = await this.http.get('/json.gp', { params: { ip, ...(key ? { k: key } : {}) } });
      httpStatus = response.status;
      outcome = this.interpret(response.status, response.data);
    } catch (_e) {
      outcome = { found: false, country: 'unknown', reason: 'unavailable', source: 'network' };
    }
    if (this.options.onCall) {
      try {
        await this.options.onCall({
          provider: 'geoplugin',
          operation: 'lookupCountry',
          subject: null,
          durationMs: this.now() - started,
          outcome: !outcome.found && outcome.reason !== 'no_data' ? 'failed' : 'ok',
          ...(!outcome.found ? { errorCode: `geoplugin.${outcome.reason}` } : {}),
          ...(httpStatus !== undefined ? { httpStatus } : {}),
        });
      } catch (_e) {
        // Recording is best effort here: a geo lookup must never fail a login.
      }
    }
    return outcome;
  }

  private interpret(httpStatus: number, data: unknown): GeoLookup {
    if (httpStatus === 429 || httpStatus === 403) {
      // Blocked for an hour: stop asking for a while rather than extending the block.
      this.bucket.drain(60_000);
      return { found: false, country: 'unknown', reason: 'rate_limited', source: 'network' };
    }
    if (httpStatus < 200 || httpStatus >= 300) return { found: false, country: 'unknown', reason: 'unavailable', source: 'network' };
    let body = data;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch (_e) {
        return { found: false, country: 'unknown', reason: 'unavailable', source: 'network' };
      }
    }
    const parsed = GeoPluginResponse.safeParse(body);
    if (!parsed.success) return { found: false, country: 'unknown', reason: 'unavailable', source: 'network' };
    const status = parsed.data.geoplugin_status;
    const code = parsed.data.geoplugin_countryCode?.trim().toUpperCase();
    if ((status === 200 || status === 206) && code && /^[A-Z]{2}$/.test(code)) return { found: true, country: code, source: 'network' };
    if (status === 429 || status === 403) {
      this.bucket.drain(60_000);
      return { found: false, country: 'unknown', reason: 'rate_limited', source: 'network' };
    }
    return { found: false, country: 'unknown', reason: 'no_data', source: 'network' };
  }
}

