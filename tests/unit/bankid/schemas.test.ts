import { describe, expect, it } from 'vitest';
import { BankIdAuthRequest, BankIdCollectResponse, BankIdFlowUpdate, BankIdOrderResponse } from '../../../src-shared/schemas/bankid';

const completionData = {
  user: { personalNumber: '198112289874', name: 'Karin Lind', givenName: 'Karin', surname: 'Lind' },
  device: { ipAddress: '192.0.2.10', uhi: 'OZvYM9VvyiAmG7NA5jU5zRGcDTWK' },
  bankIdIssueDate: '2020-02-01',
  signature: 'PD94bWwg',
  ocspResponse: 'MIIHfgoBAKCC',
};

describe('BankID wire schemas', () => {
  it('reads pending, failed and complete collect answers, keeping unknown hint codes raw', () => {
    expect(BankIdCollectResponse.parse({ orderRef: 'a', status: 'pending', hintCode: 'somethingNew' })).toMatchObject({ hintCode: 'somethingNew' });
    expect(BankIdCollectResponse.parse({ orderRef: 'a', status: 'failed', hintCode: 'userCancel' }).status).toBe('failed');
    const done = BankIdCollectResponse.parse({ orderRef: 'a', status: 'complete', completionData: { ...completionData, stepUp: { mrtd: true }, extra: 1 } });
    expect(done.status === 'complete' && done.completionData.user.personalNumber).toBe('198112289874');
  });

  it('refuses a complete answer without the user, an unknown status, or a bad personal number', () => {
    expect(BankIdCollectResponse.safeParse({ orderRef: 'a', status: 'complete' }).success).toBe(false);
    expect(BankIdCollectResponse.safeParse({ orderRef: 'a', status: 'finished' }).success).toBe(false);
    const bad = { ...completionData, user: { ...completionData.user, personalNumber: '8112289874' } };
    expect(BankIdCollectResponse.safeParse({ orderRef: 'a', status: 'complete', completionData: bad }).success).toBe(false);
  });

  it('requires all four order fields from /auth', () => {
    expect(BankIdOrderResponse.safeParse({ orderRef: 'a', autoStartToken: 'b', qrStartToken: 'c' }).success).toBe(false);
  });

  it('puts personalNumber under requirement, not at the top level (v6.0)', () => {
    expect(BankIdAuthRequest.safeParse({ endUserIp: '192.0.2.10', requirement: { personalNumber: '198112289874' } }).success).toBe(true);
    expect(BankIdAuthRequest.safeParse({ endUserIp: '192.0.2.10', personalNumber: '198112289874' }).success).toBe(false);
    expect(BankIdAuthRequest.safeParse({ endUserIp: '192.0.2.10', userVisibleData: 'not base64!' }).success).toBe(false);
  });

  it('the renderer update shape has no room for the secret', () => {
    const update = { status: 'pending', qrText: 'bankid.a.0.b', autoStartUrl: null, hintCode: null, rfa: 'RFA1', message: 'Starta BankID-appen.' };
    expect(BankIdFlowUpdate.safeParse(update).success).toBe(true);
    expect(BankIdFlowUpdate.safeParse({ ...update, qrStartSecret: 'x' }).success).toBe(false);
  });
});
