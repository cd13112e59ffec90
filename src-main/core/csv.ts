import type { OrderRow } from '../../src-shared/api';

/** "1234,50": Swedish spreadsheets read a comma decimal; no thousands separator to confuse them. */
function kronor(ore: number): string {
  const sign = ore < 0 ? '-' : '';
  const abs = Math.abs(ore);
  return `${sign}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}

/**
 * A cell that a spreadsheet could run as a formula (=, +, -, @, tab, CR) is prefixed with an
 * apostrophe (CSV injection); every cell is quoted.
 */
function cell(v: string | number | null): string {
  let s = v === null ? '' : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replaceAll('"', '""')}"`;
}

/** The orders list as CSV for Excel in Sweden: UTF-8 with BOM, semicolons, CRLF. */
export function ordersCsv(rows: readonly OrderRow[]): string {
  const head = ['Ordernummer', 'Skapad', 'Patient', 'Personnummer', 'Status', 'Fakturanummer', 'Förfallodag', 'Belopp', 'Betalt', 'Krediterat', 'Att betala', 'Behandlare'];
  const lines = [head.map(cell).join(';')];
  for (const r of rows) {
    lines.push(
      [r.orderNumber, r.createdAt.slice(0, 10), r.patientName, r.personnummer, r.status, r.invoiceNumber, r.dueDate, kronor(r.total), kronor(r.paidTotal), kronor(r.creditedTotal), kronor(r.balance), r.clinician]
        .map(cell)
        .join(';'),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
