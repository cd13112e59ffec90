import { describe, expect, it } from 'vitest';
import * as domain from '../../../src-shared/domain';
import { DomainContractError, domainError, err, mapResult, ok, unwrap } from '../../../src-shared/domain/result';

describe('domain public API', () => {
  it('re-exports the names other boxes import', () => {
    const names = [
      'ok', 'err', 'domainError', 'unwrap', 'DomainContractError',
      'oreSchema', 'parseSek', 'formatSek', 'toProviderAmount', 'fromProviderAmount', 'VAT_RATE_PERCENT', 'vatOfGross',
      'lineAmount', 'vatSummary', 'allocate',
      'isValidDate', 'addDays', 'addMonths', 'daysBetween', 'compareDates', 'todayIn',
      'luhnCheckDigit', 'isLuhnValid',
      'parsePersonnummer', 'ageOn', 'formatPersonnummer', 'personnummerSchema',
      'makeOcr', 'validateOcr', 'parseBankgiro',
      'nextInvoiceNumber', 'parseInvoiceNumber', 'ocrForInvoice',
      'buildPlan', 'effectiveAnnualRate', 'invoice14', 'checkInterestCap', 'lateInterestBp', 'REMINDER_FEE_MAX',
      'OrderEvent', 'transition', 'allowedEvents', 'isTerminal', 'resolveConcurrent',
    ];
    for (const name of names) expect(domain, name).toHaveProperty(name);
  });
});

describe('result helpers', () => {
  it('build, map and unwrap results', () => {
    expect(ok(1)).toEqual({ ok: true, value: 1 });
    expect(err('x')).toEqual({ ok: false, error: 'x' });
    expect(domainError('c', 'm')).toEqual({ code: 'c', message: 'm' });
    expect(domainError('c', 'm', 'f')).toEqual({ code: 'c', message: 'm', field: 'f' });
    expect(mapResult(ok(2), (x) => x * 2)).toEqual({ ok: true, value: 4 });
    const failed = err(domainError('bad', 'Bad thing'));
    expect(mapResult(failed, (x: number) => x * 2)).toBe(failed);
    expect(unwrap(ok('v'))).toBe('v');
    expect(() => unwrap(failed)).toThrow('Bad thing');
  });

  it('DomainContractError is a typed Error', () => {
    const e = new DomainContractError('invalid_date', 'msg', 'field');
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name: 'DomainContractError', code: 'invalid_date', message: 'msg', field: 'field' });
    expect('field' in new DomainContractError('c', 'm')).toBe(false);
  });
});
