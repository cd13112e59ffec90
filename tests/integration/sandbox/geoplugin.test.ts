import axios from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSandbox, type Sandbox } from '../../support/sandbox';

let sandbox: Sandbox;
const lookup = (query: string) => axios.get(`${sandbox.geoplugin.url}/json.gp?${query}`, { validateStatus: () => true });

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => sandbox.close());
beforeEach(async () => sandbox.geoplugin.control.reset());

describe('geoPlugin simulator', () => {
  it('answers a public IP with geoplugin_-prefixed keys, numeric status and string coordinates', async () => {
    const res = await lookup('ip=81.226.0.1');
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({
      geoplugin_request: '81.226.0.1',
      geoplugin_status: 200,
      geoplugin_countryCode: 'SE',
      geoplugin_countryName: 'Sweden',
      geoplugin_continentCode: 'EU',
      geoplugin_timezone: 'Europe/Stockholm',
      geoplugin_currencyCode: 'SEK',
      geoplugin_inEU: 1,
    });
    expect(typeof res.data.geoplugin_latitude).toBe('string');
    expect(typeof res.data.geoplugin_longitude).toBe('string');
    for (const key of ['city', 'region', 'regionName', 'delay', 'credit']) expect(res.data).toHaveProperty(`geoplugin_${key}`);
    expect(Object.keys(res.data).every((k) => k.startsWith('geoplugin_'))).toBe(true);
  });

  it.each(['127.0.0.1', '10.1.2.3', '192.168.1.10', '172.20.0.5', '::1', 'not-an-ip'])('gives status 404 with nulls for %s', async (ip) => {
    const res = await lookup(`ip=${encodeURIComponent(ip)}`);
    expect(res.data.geoplugin_status).toBe(404);
    expect(res.data.geoplugin_countryCode).toBeNull();
    expect(res.data.geoplugin_countryName).toBeNull();
  });

  it('uses the caller address when ip is omitted (loopback here, so 404)', async () => {
    const res = await lookup('');
    expect(res.data).toMatchObject({ geoplugin_request: '127.0.0.1', geoplugin_status: 404 });
  });

  it('reports the configured country per IP, and status as a string like the newer API', async () => {
    await sandbox.geoplugin.control.setCountry({ ip: '41.58.0.1', countryCode: 'NG' });
    await sandbox.geoplugin.control.setOptions({ statusAsString: true });
    const res = await lookup('ip=41.58.0.1');
    expect(res.data).toMatchObject({ geoplugin_status: '200', geoplugin_countryCode: 'NG', geoplugin_countryName: 'Nigeria', geoplugin_inEU: 0 });
    await expect(sandbox.geoplugin.control.setCountry({ ip: '1.2.3.4', countryCode: 'XX' })).rejects.toMatchObject({
      status: 400,
      body: { issues: [expect.objectContaining({ field: 'countryName' })] },
    });
  });

  it('rate limits a caller over the threshold with 429 and keeps it blocked', async () => {
    await sandbox.geoplugin.control.setRateLimit({ perMinute: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await lookup('ip=8.8.8.8')).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const state = await sandbox.geoplugin.control.state();
    expect(state.state).toMatchObject({ blocked: { '127.0.0.1': expect.any(String) } });
  });

  it('does not rate limit a paid-tier key (k=)', async () => {
    await sandbox.geoplugin.control.setRateLimit({ perMinute: 1 });
    await sandbox.geoplugin.control.setOptions({ paidKeys: ['paid-key'] });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await lookup('ip=8.8.8.8&k=paid-key')).status);
    expect(statuses).toEqual([200, 200, 200]);
    expect((await lookup('ip=8.8.8.8&k=unknown')).status).toBe(200);
    expect((await lookup('ip=8.8.8.8&k=unknown')).status).toBe(429);
  });
});
