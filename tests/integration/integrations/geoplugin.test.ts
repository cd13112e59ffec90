import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GeoPluginClient, type GeoPluginOptions } from '../../../src-main/integrations/geoplugin/client';
import { startTestSandbox, type Sandbox } from '../../support/sandbox';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(async () => {
  await sandbox.geoplugin.control.reset();
});

function client(over: Partial<GeoPluginOptions> = {}) {
  return new GeoPluginClient({ baseUrl: sandbox.geoplugin.url, timeoutMs: 1500, perMinute: 60, cacheTtlMs: 60_000, ...over });
}

async function lookups() {
  return (await sandbox.geoplugin.control.requests({ path: '^/json\\.gp$' })).length;
}

describe('geoPlugin client against the simulator', () => {
  it('returns the country of a public IP, with status as a number or as a string', async () => {
    await sandbox.geoplugin.control.setCountry({ ip: '81.2.69.160', countryCode: 'GB' });
    expect(await client().countryOf('81.2.69.160')).toEqual({ found: true, country: 'GB', source: 'network' });
    await sandbox.geoplugin.control.setOptions({ statusAsString: true });
    await sandbox.geoplugin.control.setCountry({ ip: '2a00:1450:4001:80b::200e', countryCode: 'DE' });
    expect(await client().countryOf('2a00:1450:4001:80b::200e')).toEqual({ found: true, country: 'DE', source: 'network' });
  });

  it('caches per IP until the TTL expires', async () => {
    let now = 1_000_000;
    const c = client({ now: () => now, cacheTtlMs: 10_000 });
    await c.countryOf('8.8.8.8');
    expect(await c.countryOf('8.8.8.8')).toMatchObject({ found: true, source: 'cache' });
    expect(await c.countryOf('::ffff:8.8.8.8')).toMatchObject({ source: 'cache' }); // same address
    expect(await lookups()).toBe(1);
    now += 10_001;
    expect(await c.countryOf('8.8.8.8')).toMatchObject({ found: true, source: 'network' });
    expect(await lookups()).toBe(2);
  });

  it.each(['10.1.2.3', '172.20.0.1', '192.168.1.10', '127.0.0.1', '169.254.10.1', '100.64.0.1', '::1', 'fe80::1', 'fd12:3456::1', '::ffff:192.168.0.1', 'not-an-ip', ''])(
    'skips %j without a request',
    async (ip) => {
      expect(await client().countryOf(ip)).toMatchObject({ found: false, country: 'unknown', reason: 'skipped' });
      expect(await lookups()).toBe(0);
    },
  );

  it('limits itself with a token bucket well under geoPlugin’s block threshold', async () => {
    const now = 5_000_000;
    const c = client({ now: () => now, perMinute: 5 });
    const results = [];
    for (let i = 1; i <= 8; i++) results.push(await c.countryOf(`8.8.4.${i}`));
    expect(results.filter((r) => r.found)).toHaveLength(5);
    expect(results.slice(5)).toEqual(Array(3).fill({ found: false, country: 'unknown', reason: 'rate_limited', source: 'none' }));
    expect(await lookups()).toBe(5); // the refused ones never left the desk
  });

  it('the bucket refills with time', async () => {
    let now = 7_000_000;
    const c = client({ now: () => now, perMinute: 60 });
    for (let i = 1; i <= 60; i++) await c.countryOf(`9.9.9.${i}`);
    expect(await c.countryOf('9.9.8.1')).toMatchObject({ reason: 'rate_limited' });
    now += 1000; // one token per second at 60/min
    expect(await c.countryOf('9.9.8.2')).toMatchObject({ found: true });
  });

  it('treats a 429 block as unknown without throwing, and stops asking for a while', async () => {
    await sandbox.geoplugin.control.setRateLimit({ perMinute: 2, blockMs: 60_000 });
    const c = client();
    await c.countryOf('1.1.1.1');
    await c.countryOf('1.1.1.2');
    expect(await c.countryOf('1.1.1.3')).toEqual({ found: false, country: 'unknown', reason: 'rate_limited', source: 'network' });
    const before = await lookups();
    expect(await c.countryOf('1.1.1.4')).toMatchObject({ reason: 'rate_limited', source: 'none' });
    expect(await lookups()).toBe(before);
  });

  it.each([
    ['a timeout', { kind: 'hang' as const, hangMs: 10_000 }],
    ['a 503', { kind: 'http5xx' as const, status: 503 }],
    ['a reset', { kind: 'reset' as const }],
  ])('treats %s as unknown without throwing, fast, and does not cache it', async (_n, fault) => {
    await sandbox.geoplugin.control.addFault({ route: '^/json\\.gp$', times: 1, ...fault });
    const c = client({ timeoutMs: 300 });
    expect(await c.countryOf('8.8.8.8')).toEqual({ found: false, country: 'unknown', reason: 'unavailable', source: 'network' });
    expect(await c.countryOf('8.8.8.8')).toMatchObject({ found: true, source: 'network' });
  });
});
