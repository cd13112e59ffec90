import { formatSek, vatSummary, VAT_RATE_PERCENT } from '../../src-shared/domain/money';
import { formatPersonnummer } from '../../src-shared/domain/personnummer';
import type { InstallmentPlanRecord, Invoice, Order, Patient } from '../../src-shared/schemas/entities';
import type { ClinicDetails } from './handlers/orders';
import { A4, buildPdf, type PdfOp } from './pdf-writer';

/** The exemption reference an invoice with VAT-exempt dental care must carry (domain.md). */
export const VAT_EXEMPTION_TEXT = 'Momsfri tandvård enligt 10 kap. mervärdesskattelagen (2023:200).';

const money = (ore: number) => formatSek(ore, 'sv');
const pct = (f: number) => `${(Math.round(f * 1000) / 10).toLocaleString('sv-SE')} %`;

/**
 * A Swedish invoice (ML 2023:200 content): issue date, sequential number, seller with address,
 * organisation and VAT number, buyer with address, what was supplied and when, amount per VAT
 * rate or the exemption reference, VAT amount, due date, OCR and bankgiro.
 */
export function invoicePdf(input: { order: Order; invoice: Invoice; plan: InstallmentPlanRecord | null; patient: Patient; clinic: ClinicDetails }): Uint8Array {
  const { order, invoice, plan, patient, clinic } = input;
  const ops: PdfOp[] = [];
  const L = 50;
  const R = A4.width - 50;
  let y = A4.height - 60;
  const text = (x: number, t: string, o: Partial<Extract<PdfOp, { kind: 'text' }>> = {}) => ops.push({ kind: 'text', x, y, text: t, ...o });
  const line = () => ops.push({ kind: 'line', x1: L, y1: y, x2: R, y2: y });

  text(L, clinic.name, { size: 16, bold: true });
  text(R, 'FAKTURA', { size: 18, bold: true, align: 'right' });
  y -= 16;
  if (clinic.address) text(L, `${clinic.address.street}, ${clinic.address.postalCode} ${clinic.address.city}`);
  text(R, `Fakturanummer: ${invoice.invoiceNumber}`, { align: 'right', bold: true });
  y -= 13;
  text(L, `Org.nr ${clinic.organisationNumber ?? '—'}${clinic.vatNumber ? `  ·  Momsreg.nr ${clinic.vatNumber}` : ''}`);
  text(R, `Fakturadatum: ${invoice.issueDate}`, { align: 'right' });
  y -= 13;
  if (clinic.phone || clinic.email) text(L, [clinic.phone, clinic.email].filter(Boolean).join('  ·  '));
  text(R, `Förfallodag: ${invoice.dueDate}`, { align: 'right', bold: true });
  y -= 13;
  text(R, `Ordernummer: ${order.orderNumber}`, { align: 'right' });

  y -= 34;
  text(L, 'Faktureras', { bold: true, size: 9 });
  y -= 14;
  text(L, `${patient.firstName} ${patient.lastName}`, { size: 11 });
  y -= 13;
  text(L, `Personnummer ${formatPersonnummer(patient.personnummer)}`);
  if (patient.address) {
    y -= 13;
    text(L, patient.address.street);
    y -= 13;
    text(L, `${patient.address.postalCode} ${patient.address.city}`);
  }

  y -= 30;
  text(L, `Utförd behandling ${order.createdAt.slice(0, 10)}${order.clinician ? `, behandlare ${order.clinician}` : ''}`, { bold: true });
  y -= 18;
  const cols = { desc: L, qty: 330, price: 400, vat: 455, amount: R };
  text(cols.desc, 'Beskrivning', { bold: true, size: 9 });
  text(cols.qty, 'Antal', { bold: true, size: 9, align: 'right' });
  text(cols.price, 'À-pris', { bold: true, size: 9, align: 'right' });
  text(cols.vat, 'Moms', { bold: true, size: 9 });
  text(cols.amount, 'Belopp', { bold: true, size: 9, align: 'right' });
  y -= 6;
  line();
  for (const l of order.lines) {
    y -= 15;
    const desc = `${l.code ? `${l.code} ` : ''}${l.description}${l.discountBp ? ` (rabatt ${(l.discountBp / 100).toLocaleString('sv-SE')} %)` : ''}`;
    text(cols.desc, desc.length > 55 ? `${desc.slice(0, 54)}…` : desc);
    text(cols.qty, String(l.quantity), { align: 'right' });
    text(cols.price, money(l.unitPrice), { align: 'right' });
    text(cols.vat, l.vatCode === 'exempt' ? 'Momsfri' : `${VAT_RATE_PERCENT[l.vatCode]} %`);
    text(cols.amount, money(l.lineTotal), { align: 'right' });
  }
  y -= 8;
  line();

  const summary = vatSummary(order.lines.map((l) => ({ gross: l.lineTotal, vatCode: l.vatCode })));
  for (const row of summary.rows) {
    y -= 15;
    if (row.vatCode === 'exempt') {
      text(330, 'Momsfritt belopp');
      text(R, money(row.gross), { align: 'right' });
    } else {
      text(330, `Underlag moms ${row.ratePercent} %`);
      text(R, money(row.net), { align: 'right' });
      y -= 13;
      text(330, `Moms ${row.ratePercent} %`);
      text(R, money(row.vat), { align: 'right' });
    }
  }
  y -= 15;
  text(330, 'Summa moms');
  text(R, money(summary.total.vat), { align: 'right' });
  if (order.creditedTotal > 0) {
    y -= 15;
    text(330, 'Krediterat');
    text(R, `-${money(order.creditedTotal)}`, { align: 'right' });
  }
  y -= 20;
  text(330, 'Att betala', { bold: true, size: 12 });
  text(R, money(Math.max(0, order.total - order.creditedTotal - order.paidTotal)), { align: 'right', bold: true, size: 12 });

  if (summary.rows.some((r) => r.vatCode === 'exempt')) {
    y -= 26;
    text(L, VAT_EXEMPTION_TEXT, { size: 9 });
  }

  y -= 30;
  line();
  y -= 18;
  text(L, 'Betalning', { bold: true });
  y -= 15;
  if (plan) {
    text(L, `Delbetalning ${plan.months} månader: ${money(plan.monthlyAmount)} per månad, första betalning ${plan.firstDueDate}.`);
    y -= 13;
    text(L, `Totalt att betala ${money(plan.totalPayable)}. Effektiv ränta ${pct(plan.effectiveAnnualRate)} (nominell ${(plan.annualInterestBp / 100).toLocaleString('sv-SE')} %).`);
    y -= 13;
    text(L, `Uppläggningsavgift ${money(plan.setupFee)}, aviavgift ${money(plan.monthlyFee)} per månad.`);
  } else {
    text(L, `Betala senast ${invoice.dueDate}. Fakturan är avgiftsfri om den betalas i tid.`);
  }
  y -= 22;
  text(L, `Bankgiro: ${clinic.bankgiro ?? '—'}`, { bold: true, size: 12 });
  text(300, `OCR-nummer: ${invoice.ocr}`, { bold: true, size: 12 });
  y -= 15;
  text(L, 'Ange alltid OCR-numret när du betalar.', { size: 9 });

  ops.push({ kind: 'text', x: L, y: 40, text: `${clinic.name} · Org.nr ${clinic.organisationNumber ?? '—'} · Bankgiro ${clinic.bankgiro ?? '—'}`, size: 8 });
  return buildPdf([ops], { title: `Faktura ${invoice.invoiceNumber}` });
}
