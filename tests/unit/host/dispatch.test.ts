import { describe, expect, it } from 'vitest';
import { CALL_NAMES, contract, ROLE_PERMISSIONS } from '../../../src-shared/api';
import { createDispatcher, type ClientState, type Handlers } from '../../../src-main/core/dispatch';
import { missingHandlers } from '../../../src-main/core/missing';

const session = (role: 'staff' | 'clinic_admin') => ({
  user: { id: '6f1c2c64-4a8e-4a53-9d3c-6a4a3c1d2e10', username: 'anna', displayName: 'Anna', role, language: 'sv' as const, clinicId: '0a0b0c0d-1111-4222-8333-944455566677' },
  clinic: null, method: 'password' as const, offline: false, expiresAt: new Date(Date.now() + 60_000).toISOString(), secret: { accessToken: null },
});

function setup(extra: Partial<Handlers> = {}) {
  let ran = 0;
  const handlers = { ...missingHandlers(() => 'not wired'), 'secrets.set': () => (ran++, { key: 'paynova.secretKey', set: true, masked: 'abcd', updatedAt: null }), ...extra } as Handlers;
  const errors: string[] = [];
  const invoke = createDispatcher(handlers, { error: (event) => void errors.push(event) });
  return { invoke, ran: () => ran, errors };
}

describe('core dispatcher', () => {
  it('gives every call a permission the role table knows', () => {
    for (const name of CALL_NAMES) expect(['public', 'session', ...ROLE_PERMISSIONS.system_admin].includes(contract[name].permission), name).toBe(true);
  });

  it('refuses a staff session writing secrets before the handler runs; a clinic admin may', async () => {
    const { invoke, ran } = setup();
    const staff: ClientState = { id: 'a', transport: 'test', session: session('staff') };
    expect(await invoke(staff, 'secrets.set', { key: 'paynova.secretKey', value: 'x'.repeat(20) })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(ran()).toBe(0);
    const admin: ClientState = { id: 'b', transport: 'test', session: session('clinic_admin') };
    expect(await invoke(admin, 'secrets.set', { key: 'paynova.secretKey', value: 'x'.repeat(20) })).toMatchObject({ ok: true });
    expect(ran()).toBe(1);
  });

  it('drops an expired session and refuses what needs one', async () => {
    const { invoke } = setup();
    const c: ClientState = { id: 'c', transport: 'test', session: { ...session('staff'), expiresAt: new Date(Date.now() - 1).toISOString() } };
    expect(await invoke(c, 'orders.list', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(c.session).toBeNull();
  });

  it('names the bad field of an input and never passes unknown keys through strict inputs', async () => {
    const { invoke } = setup();
    const c: ClientState = { id: 'd', transport: 'test', session: session('clinic_admin') };
    expect(await invoke(c, 'secrets.set', { key: 'device.credential', value: 'x' })).toMatchObject({ ok: false, error: { code: 'validation', field: 'key' } });
    expect(await invoke(c, 'orders.list', { search: 'x'.repeat(5000) })).toMatchObject({ ok: false, error: { code: 'validation', field: 'search' } });
  });

  it('refuses to return an output that does not match its schema, and hides internal errors', async () => {
    const { invoke, errors } = setup({
      'auth.session': () => ({ user: 'not a user' }) as never,
      'prefs.get': () => {
        throw new Error('SQLITE_BUSY: database is locked at /home/x/desk.sqlite');
      },
    });
    const c: ClientState = { id: 'e', transport: 'test', session: session('staff') };
    expect(await invoke(c, 'auth.session', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
    const r = await invoke(c, 'prefs.get', { key: 'ordersFilter' });
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(r)).not.toContain('/home/x');
    expect(errors).toEqual(['core.bad_output', 'core.call_failed']);
  });
});
