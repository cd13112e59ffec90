import { describe, expect, it } from 'vitest';
import { RFA, errorMessage, failedMessage, pendingMessage } from '../../../src-main/integrations/bankid';
import { FAILED_HINT_CODES, PENDING_HINT_CODES } from '../../../src-shared/schemas/bankid';

const qr = { sameDevice: false };
const here = { sameDevice: true };

describe('BankID user messages', () => {
  it('gives every documented hint code its own Swedish and English text', () => {
    for (const hint of PENDING_HINT_CODES) {
      const m = pendingMessage(hint, qr);
      expect(m, hint).not.toBe(RFA.RFA21);
      expect(m.sv.length && m.en.length, hint).toBeGreaterThan(0);
    }
    for (const hint of FAILED_HINT_CODES) {
      const m = failedMessage(hint, qr);
      expect(m, hint).not.toBe(RFA.RFA22);
      expect(m.sv).not.toBe(m.en);
    }
  });

  it('uses the RFA texts BankID recommends', () => {
    expect(pendingMessage('outstandingTransaction', qr)).toMatchObject({ rfa: 'RFA1', sv: 'Starta BankID-appen.' });
    expect(pendingMessage('outstandingTransaction', here)).toMatchObject({ rfa: 'RFA13', sv: 'Försöker starta BankID-appen.' });
    expect(pendingMessage('noClient', qr).rfa).toBe('RFA1');
    expect(pendingMessage('userSign', qr).rfa).toBe('RFA9');
    expect(pendingMessage('userMrtd', qr).rfa).toBe('RFA23');
    expect(failedMessage('userCancel', qr)).toMatchObject({ rfa: 'RFA6', sv: 'Åtgärden avbruten.', en: 'Action cancelled.' });
    expect(failedMessage('cancelled', qr)).toMatchObject({ rfa: 'RFA3', sv: 'Åtgärden avbruten. Försök igen.' });
    expect(failedMessage('expiredTransaction', qr).sv).toMatch(/^BankID-appen svarar inte\./);
    expect(failedMessage('certificateErr', qr).rfa).toBe('RFA16');
    expect(failedMessage('startFailed', qr).rfa).toBe('RFA17B');
    expect(failedMessage('startFailed', here).rfa).toBe('RFA17A');
  });

  it('falls back to the generic texts for hint codes it does not know', () => {
    expect(pendingMessage('brandNewPending', qr)).toBe(RFA.RFA21);
    expect(pendingMessage(undefined, qr)).toBe(RFA.RFA21);
    expect(failedMessage('brandNewFailure', qr)).toBe(RFA.RFA22);
  });

  it('words API errors for the user', () => {
    expect(errorMessage({ code: 'bankid.already_in_progress', message: '', retryable: false }).rfa).toBe('RFA4');
    expect(errorMessage({ code: 'bankid.maintenance', message: '', retryable: true }).rfa).toBe('RFA5');
    expect(errorMessage({ code: 'bankid.transport', message: '', retryable: true }).rfa).toBe('RFA5');
    expect(errorMessage({ code: 'bankid.unknown', message: '', retryable: false }).rfa).toBe('RFA22');
  });
});
