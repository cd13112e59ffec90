import { describe, expect, it } from 'vitest';
import { installmentOffer, smsTemplateOverrides } from '../../../src-main/core/service-settings';
import { DeskServiceSettings } from '../../../src-shared/schemas/accounts';

const defaults = DeskServiceSettings.parse({});

describe('central service settings on the desk', () => {
  it('offers the central installment terms in order, all priced the same', () => {
    const offer = installmentOffer(DeskServiceSettings.parse({ installments: { months: [24, 6], annualInterestBp: 300, setupFee: 10_000, monthlyFee: 1_000 } }));
    expect(offer.months).toEqual([6, 24]);
    expect(offer.terms(6)).toEqual({ annualInterestBp: 300, setupFee: 10_000, monthlyFee: 1_000 });
  });

  it('ignores a central template that uses a placeholder the desk may not put in that SMS', () => {
    // The service's own default texts use {invoiceNumber} and {monthly}, which the desk's catalogue
    // does not allow: the desk keeps its built-in texts until the console writes usable ones.
    expect(smsTemplateOverrides(defaults, {})).toEqual({});
  });

  it('uses a usable central template under its desk name, and a clinic override before it', () => {
    const central = DeskServiceSettings.parse({
      smsTemplates: {
        ...defaults.smsTemplates,
        plan_started: { sv: '{clinic}: {months} mån à {monthlyAmount}. {link}', en: '{clinic}: {months} months of {monthlyAmount}. {link}' },
        cancelled: { sv: '{clinic}: faktura med OCR {ocr} makulerad.', en: '{clinic}: invoice {ocr} cancelled.' },
      },
    });
    const clinic = { cancelled: { sv: 'Kliniken: OCR {ocr} gäller inte längre.' } };
    expect(smsTemplateOverrides(central, clinic)).toEqual({
      installment_plan_started: { sv: '{clinic}: {months} mån à {monthlyAmount}. {link}', en: '{clinic}: {months} months of {monthlyAmount}. {link}' },
      cancelled: { sv: 'Kliniken: OCR {ocr} gäller inte längre.', en: '{clinic}: invoice {ocr} cancelled.' },
    });
  });
});
