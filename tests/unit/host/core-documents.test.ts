import { describe, expect, it } from 'vitest';
import { ordersCsv } from '../../../src-main/core/csv';
import { invoicePdf, VAT_EXEMPTION_TEXT } from '../../../src-main/core/invoice-pdf';
import type { OrderRow } from '../../../src-shared/api';

const order = {
  id: '6f1c0a52-6b1d-4c36-9d8e-1f2a3b4c5d6e', clinicId: '0a0b0c0d-1111-4222-8333-944455566677', orderNumber: 'K20261122-ABCDEF', patientId: '1a0b0c0d-1111-4222-8333-944455566677',
  createdByUserId: '2a0b0c0d-1111-4222-8333-944455566677', clinician: 'Dr Åkesson', note: null, status: 'invoiced' as const, statusReason: 'none' as const,
  paymentOption: { kind: 'invoice14' as const }, total: 447_500, vatTotal: 70_000, creditedTotal: 0, paidTotal: 0, createdAt: '2026-11-22T09:00:00.000Z', updatedAt: '2026-11-22T09:00:00.000Z',
  lines: [
    { id: '3a0b0c0d-1111-4222-8333-944455566677', priceItemId: null, code: '103', description: 'Undersökning, utökad', quantity: 1, unitPrice: 97_500, discountBp: 0, vatCode: 'exempt' as const, clinician: null, lineTotal: 97_500, vatAmount: 0 },
    { id: '4a0b0c0d-1111-4222-8333-944455566677', priceItemId: null, code: 'K10', description: 'Tandblekning (kosmetisk)', quantity: 1, unitPrice: 350_000, discountBp: 0, vatCode: 'se25' as const, clinician: null, lineTotal: 350_000, vatAmount: 70_000 },
  ],
};
const invoice = {
  id: '5a0b0c0d-1111-4222-8333-944455566677', orderId: order.id, clinicId: order.clinicId, seriesId: 's', invoiceNumber: 'D1-000042', ocr: '1000004204', issueDate: '2026-11-22',
  dueDate: '2026-12-06', total: 447_500, vatTotal: 70_000, paymentOption: { kind: 'invoice14' as const }, providerOrderId: null, providerTransactionId: null,
};
const patient = {
  id: order.patientId, clinicId: order.clinicId, personnummer: '198503152392', firstName: 'Maja', lastName: 'Lindqvist', phone: null, email: null,
  address: { street: 'Storgatan 1', postalCode: '111 22', city: 'Stockholm', countryCode: 'SE' }, language: 'sv' as const, smsConsent: true, smsBlockedReason: null,
  createdAt: order.createdAt, updatedAt: order.createdAt,
};
const clinic = {
  id: order.clinicId, name: 'Tandläkarhuset Söder', organisationNumber: '556677-8899', vatNumber: 'SE556677889901', bankgiro: '5050-1055', phone: null, email: null,
  address: { street: 'Götgatan 12', postalCode: '118 46', city: 'Stockholm', countryCode: 'SE' },
};

/** The text of a page as written by our writer: the strings inside Tj operators, WinAnsi-decoded. */
function pdfText(bytes: Uint8Array): string {
  const s = Buffer.from(bytes).toString('latin1');
  return [...s.matchAll(/\((.*?)(?<!\\)\) Tj/g)].map((m) => m[1]!.replace(/\\([()\\])/g, '$1')).join('\n');
}

describe('invoice PDF', () => {
  it('is a well-formed PDF whose xref points at every object', () => {
    const bytes = invoicePdf({ order, invoice, plan: null, patient, clinic });
    const s = Buffer.from(bytes).toString('latin1');
    expect(s.startsWith('%PDF-1.4')).toBe(true);
    expect(s.trimEnd().endsWith('%%EOF')).toBe(true);
    const xrefAt = Number(/startxref\n(\d+)/.exec(s)![1]);
    expect(s.slice(xrefAt, xrefAt + 4)).toBe('xref');
    const offsets = [...s.slice(xrefAt).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    offsets.forEach((o, i) => expect(s.slice(o, o + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`));
  });

  it('carries the Swedish invoice content: number, dates, seller, buyer, VAT per rate, exemption, OCR, bankgiro', () => {
    const text = pdfText(invoicePdf({ order, invoice, plan: null, patient, clinic }));
    for (const expected of [
      'D1-000042', 'Fakturadatum: 2026-11-22', 'Förfallodag: 2026-12-06', 'Tandläkarhuset Söder', 'Org.nr 556677-8899', 'Momsreg.nr SE556677889901',
      'Maja Lindqvist', 'Storgatan 1', 'Momsfritt belopp', 'Moms 25 %', VAT_EXEMPTION_TEXT, 'OCR-nummer: 1000004204', 'Bankgiro: 5050-1055', 'Utförd behandling 2026-11-22',
    ]) {
      expect(text, expected).toContain(expected);
    }
    expect(text.replace(/\s/g, ' ')).toContain('700,00 kr'); // VAT of 3 500 kr at 25 % inclusive
  });
});

describe('orders CSV', () => {
  it('quotes every cell and defuses formulas', () => {
    const row = { orderNumber: 'K1', createdAt: '2026-11-22T09:00:00Z', patientName: '=HYPERLINK("x")', personnummer: '198503152392', status: 'paid', invoiceNumber: null, dueDate: null, total: 123_456, paidTotal: 0, creditedTotal: 0, balance: 123_456, clinician: 'Dr "Ek"' } as unknown as OrderRow;
    const csv = ordersCsv([row]);
    expect(csv.startsWith('\uFEFF"Ordernummer";')).toBe(true);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv).toContain('"1234,56"');
    expect(csv).toContain('"Dr ""Ek"""');
  });
});
