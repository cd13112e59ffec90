import { randomUUID } from 'node:crypto';
import { addDays, addMonths } from '../../../src-shared/domain/dates';
import { lineAmount, vatOfGross, vatSummary } from '../../../src-shared/domain/money';
import type { Order, OrderLine, Patient } from '../../../src-shared/schemas/entities';
import type { OrderStatus, VatCode } from '../../../src-shared/schemas/enums';
import { makePersonnummer } from '../../support/store';
import { prng } from './report';

/**
 * Deterministic, realistic desk data: ~0.3 patients per order, patients introduced as time goes
 * by, orders created in time order over two years, a status mix that depends on nothing the
 * queries could exploit, 1–3 lines from a price list, Swedish names with å/ä/ö.
 */
export const BENCH_TODAY = '2025-07-01';
const START = '2023-07-01';
const DAYS = 730;

const FIRST = ['Anna', 'Eva', 'Maria', 'Karin', 'Sara', 'Lena', 'Åsa', 'Märta', 'Ingrid', 'Elsa', 'Lars', 'Erik', 'Karl', 'Johan', 'Per', 'Anders', 'Örjan', 'Mikael', 'Björn', 'Nils'];
// Swedish surnames weighted roughly by how many people carry them (thousands, SCB-like), so a
// search for "ström" hits the few percent it would in a real clinic, while "berg" (Berg, Bergström,
// Berglund, Bergman, Bergqvist…) stays a genuinely common prefix.
const LAST_WEIGHTED: [string, number][] = [
  ['Andersson', 228], ['Johansson', 226], ['Karlsson', 204], ['Nilsson', 157], ['Eriksson', 135], ['Larsson', 112], ['Olsson', 103], ['Persson', 97],
  ['Svensson', 89], ['Gustafsson', 86], ['Pettersson', 82], ['Jonsson', 65], ['Jansson', 45], ['Hansson', 39], ['Bengtsson', 33], ['Jönsson', 31],
  ['Lindberg', 24], ['Jakobsson', 23], ['Magnusson', 23], ['Olofsson', 22], ['Lindström', 22], ['Lindqvist', 21], ['Lindgren', 21], ['Berg', 19],
  ['Axelsson', 19], ['Bergström', 18], ['Lundberg', 18], ['Lind', 18], ['Lundgren', 17], ['Lundqvist', 17], ['Mattsson', 16], ['Berglund', 16],
  ['Fredriksson', 15], ['Sandberg', 15], ['Henriksson', 14], ['Forsberg', 14], ['Sjöberg', 14], ['Wallin', 13], ['Engström', 13], ['Eklund', 13],
  ['Danielsson', 13], ['Håkansson', 12], ['Lundin', 12], ['Björk', 12], ['Bergman', 12], ['Gunnarsson', 12], ['Holm', 12], ['Wikström', 11],
  ['Samuelsson', 11], ['Isaksson', 11], ['Fransson', 11], ['Bergqvist', 11], ['Nyström', 11], ['Holmberg', 10], ['Arvidsson', 10], ['Löfgren', 10],
  ['Söderberg', 10], ['Nyberg', 10], ['Blomqvist', 10], ['Claesson', 9], ['Nordström', 9], ['Åberg', 6], ['Öberg', 6], ['Strömberg', 5], ['Ek', 5],
  ['Åkesson', 5], ['Strömqvist', 2], ['Ängström', 1],
];
const LAST_TOTAL = LAST_WEIGHTED.reduce((a, [, w]) => a + w, 0);
function pickLast(r: number): string {
  let x = r * LAST_TOTAL;
  for (const [name, w] of LAST_WEIGHTED) {
    if (x < w) return name;
    x -= w;
  }
  return LAST_WEIGHTED[0]![0];
}
const CLINICIANS = ['Dr Berg', 'Dr Åkesson', 'Dr Lind', 'Dr Nyström', 'Tandhygienist Ek', 'Dr Holm', 'Dr Sandberg', 'Dr Wallin'];
export const STAFF = Array.from({ length: 12 }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
const PRICES: { code: string; name: string; price: number; vat: VatCode }[] = [
  { code: '101', name: 'Basundersökning', price: 85_000, vat: 'exempt' },
  { code: '103', name: 'Akut undersökning', price: 60_000, vat: 'exempt' },
  { code: '124', name: 'Röntgen', price: 30_000, vat: 'exempt' },
  { code: '201', name: 'Tandstensborttagning', price: 70_000, vat: 'exempt' },
  { code: '301', name: 'Fyllning, en yta', price: 110_000, vat: 'exempt' },
  { code: '302', name: 'Fyllning, två ytor', price: 145_000, vat: 'exempt' },
  { code: '401', name: 'Rotbehandling', price: 520_000, vat: 'exempt' },
  { code: '501', name: 'Krona', price: 780_000, vat: 'exempt' },
  { code: '801', name: 'Implantat', price: 2_250_000, vat: 'exempt' },
  { code: '901', name: 'Tandblekning', price: 350_000, vat: 'se25' },
  { code: '902', name: 'Skalfasad', price: 650_000, vat: 'se25' },
];
const STATUS_MIX: [OrderStatus, number][] = [
  ['draft', 0.03], ['invoiced', 0.12], ['paid', 0.3], ['installments', 0.1], ['completed', 0.3], ['overdue', 0.05], ['rejected', 0.03], ['cancelled', 0.04],
  ['credited', 0.03],
];

export interface SeedBlock {
  patients: Patient[];
  orders: { order: Order; invoice: { id: string; invoiceNumber: string; issueDate: string; dueDate: string } | null; paidDate: string | null }[];
}

export const PATIENTS_PER_ORDER = 0.3;
export const BLOCK = 10_000;

/** Generates block `b` (orders b·BLOCK … b·BLOCK+BLOCK−1 and the patients they introduce). */
export function makeBlock(b: number, totalOrders: number, clinicId: string): SeedBlock {
  const rnd = prng(1_000_003 * (b + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const firstOrder = b * BLOCK;
  const count = Math.min(BLOCK, totalOrders - firstOrder);
  const patientsBefore = Math.floor(firstOrder * PATIENTS_PER_ORDER);
  const patientsAfter = Math.floor((firstOrder + count) * PATIENTS_PER_ORDER);
  const patients: Patient[] = [];
  for (let i = patientsBefore; i < patientsAfter; i++) {
    const at = `${addDays(START, Math.floor((i / PATIENTS_PER_ORDER / totalOrders) * DAYS))}T07:00:00.000Z`;
    patients.push({
      id: patientId(i), clinicId, personnummer: makePersonnummer(i), firstName: pick(FIRST), lastName: pickLast(rnd()),
      phone: rnd() < 0.9 ? `+4670${String(Math.floor(rnd() * 10_000_000)).padStart(7, '0')}` : null, email: null, address: null, language: 'sv',
      smsConsent: true, smsBlockedReason: null, createdAt: at, updatedAt: at,
    });
  }
  const orders: SeedBlock['orders'] = [];
  for (let k = firstOrder; k < firstOrder + count; k++) {
    const day = Math.floor((k / totalOrders) * DAYS);
    const created = addDays(START, day);
    const createdAt = `${created}T${String(7 + Math.floor(rnd() * 10)).padStart(2, '0')}:${String(Math.floor(rnd() * 60)).padStart(2, '0')}:${String(Math.floor(rnd() * 60)).padStart(2, '0')}.000Z`;
    const patientIndex = Math.floor(rnd() * Math.max(1, patientsAfter));
    const lines: OrderLine[] = [];
    const nLines = 1 + Math.floor(rnd() * 3);
    for (let l = 0; l < nLines; l++) {
      const item = pick(PRICES);
      const quantity = rnd() < 0.85 ? 1 : 2;
      const discountBp = rnd() < 0.1 ? 1000 : 0;
      const total = lineAmount({ unitPrice: item.price, quantity, discountBp });
      if (!total.ok) throw new Error(total.error.message);
      lines.push({
        id: randomUUID(), priceItemId: null, code: item.code, description: item.name, quantity, unitPrice: item.price, discountBp, vatCode: item.vat,
        clinician: null, lineTotal: total.value, vatAmount: vatOfGross(total.value, item.vat),
      });
    }
    const summary = vatSummary(lines.map((l) => ({ gross: l.lineTotal, vatCode: l.vatCode })));
    let r = rnd();
    let status: OrderStatus = 'draft';
    for (const [s, w] of STATUS_MIX) {
      if (r < w) {
        status = s;
        break;
      }
      r -= w;
    }
    const installments = status === 'installments' || (status !== 'draft' && rnd() < 0.25);
    const dueDate = installments ? addMonths(created, 1) : addDays(created, 14);
    // Overdue means past the due date; a younger invoice is still just invoiced.
    if (status === 'overdue' && dueDate >= BENCH_TODAY) status = 'invoiced';
    const invoiced = status !== 'draft';
    const paid = status === 'paid' || status === 'completed' || status === 'credited';
    const paidDate = paid ? addDays(created, Math.floor(rnd() * 14)) : null;
    const order: Order = {
      id: randomUUID(), clinicId, orderNumber: `ORD-${created.slice(0, 4)}-${String(k + 1).padStart(7, '0')}`, patientId: patientId(patientIndex),
      createdByUserId: pick(STAFF), clinician: pick(CLINICIANS), note: null, status, statusReason: 'none',
      paymentOption: invoiced ? (installments ? { kind: 'installments', months: pick([3, 6, 12, 18, 24]) } : { kind: 'invoice14' }) : null,
      total: summary.total.gross, vatTotal: summary.total.vat, creditedTotal: status === 'credited' ? summary.total.gross : 0,
      paidTotal: paid ? summary.total.gross : 0, createdAt, updatedAt: createdAt, lines,
    };
    orders.push({
      order,
      invoice: invoiced ? { id: randomUUID(), invoiceNumber: `K1-${String(k + 1).padStart(7, '0')}`, issueDate: created, dueDate } : null,
      paidDate,
    });
  }
  return { patients, orders };
}

/** Patient ids are derived from the index so a later block can refer to an earlier block's patient. */
export function patientId(i: number): string {
  return `00000000-0000-4000-a000-${i.toString(16).padStart(12, '0')}`;
}

export const SEARCH_NAMES = ['ström', 'lindb', 'öberg', 'åkes', 'berg', 'sjöb', 'nyst', 'hans'];
export { CLINICIANS };
