import { describe, expect, it } from 'vitest';
import { animatedQrText, autoStartUrl, qrAuthCode, qrTimeAt } from '../../../src-main/integrations/bankid';

// The worked example from BankID's QR documentation (qrTime 0), plus qrTime 1 computed with
// `printf 1 | openssl dgst -sha256 -hmac <secret>` as an independent implementation.
const TOKEN = '67df3917-fa0d-44e5-b327-edcc928297f8';
const SECRET = 'd28db9a7-4cde-429e-a983-359be676944c';

describe('animated QR', () => {
  it('matches the documented HMAC-SHA256 example', () => {
    expect(qrAuthCode(SECRET, 0)).toBe('dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8');
    expect(animatedQrText(TOKEN, SECRET, 0)).toBe(`bankid.${TOKEN}.0.dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8`);
    expect(qrAuthCode(SECRET, 1)).toBe('949d559bf23403952a94d103e67743126381eda00f0b3cbddbf7c96b1adcbce2');
  });

  it('counts whole seconds since the auth response, never negative', () => {
    expect(qrTimeAt(10_000, 10_000)).toBe(0);
    expect(qrTimeAt(10_000, 10_999)).toBe(0);
    expect(qrTimeAt(10_000, 11_000)).toBe(1);
    expect(qrTimeAt(10_000, 42_500)).toBe(32);
    expect(qrTimeAt(10_000, 9_000)).toBe(0);
  });

  it('builds the same-device start URL', () => {
    expect(autoStartUrl('46bb4d4e-b13f-4d1a-96ab-0a45d4bb3d9b')).toBe('bankid:///?autostarttoken=46bb4d4e-b13f-4d1a-96ab-0a45d4bb3d9b&redirect=null');
  });
});
