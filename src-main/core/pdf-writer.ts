/**
 * A deliberately small PDF 1.4 writer: one or more A4 pages of text and lines in the standard
 * Helvetica fonts (no embedding; WinAnsi covers Swedish å, ä, ö, é). Enough for an invoice, and
 * no dependency to keep patched.
 */
export interface TextOp {
  kind: 'text';
  x: number;
  y: number;
  text: string;
  size?: number;
  bold?: boolean;
  align?: 'left' | 'right';
}
export interface LineOp {
  kind: 'line';
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  width?: number;
}
export type PdfOp = TextOp | LineOp;

export const A4 = { width: 595.28, height: 841.89 } as const;

/** Helvetica advance widths (per 1000 em) for printable ASCII; others use an average. */
const HELVETICA: Record<string, number> = Object.fromEntries(
  ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~'
    .split('')
    .map((c, i) => [c, [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584][i]!]),
);

export function textWidth(text: string, size: number, bold = false): number {
  let w = 0;
  for (const c of text) w += HELVETICA[c] ?? 556;
  return (w * size * (bold ? 1.05 : 1)) / 1000;
}

/** Text as WinAnsi bytes in a PDF string: (, ) and \ escaped, characters outside Latin-1 become "?". */
function pdfString(text: string): string {
  let out = '';
  for (const ch of text.replace(/[\u2000-\u200B\u202F\u2009]/g, ' ').replace(/\u2212/g, '-').replace(/[\u2013\u2014]/g, '-')) {
    const code = ch.codePointAt(0)!;
    const b = code < 256 ? ch : '?';
    out += b === '(' || b === ')' || b === '\\' ? `\\${b}` : b;
  }
  return `(${out})`;
}

function n(v: number): string {
  return (Math.round(v * 100) / 100).toString();
}

function contentStream(ops: readonly PdfOp[]): string {
  const parts: string[] = [];
  for (const op of ops) {
    if (op.kind === 'line') {
      parts.push(`${n(op.width ?? 0.5)} w ${n(op.x1)} ${n(op.y1)} m ${n(op.x2)} ${n(op.y2)} l S`);
    } else {
      const size = op.size ?? 10;
      const x = op.align === 'right' ? op.x - textWidth(op.text, size, op.bold) : op.x;
      parts.push(`BT /${op.bold ? 'F2' : 'F1'} ${n(size)} Tf ${n(x)} ${n(op.y)} Td ${pdfString(op.text)} Tj ET`);
    }
  }
  return parts.join('\n');
}

/** Builds the file: catalog, pages, one content stream per page, two fonts, xref, trailer. */
export function buildPdf(pages: readonly (readonly PdfOp[])[], info: { title: string }): Uint8Array {
  const objects: string[] = [];
  const fontRegular = 3;
  const fontBold = 4;
  const firstPage = 5;
  const kids = pages.map((_, i) => `${firstPage + i * 2} 0 R`).join(' ');
  objects[1] = `<< /Type /Catalog /Pages 2 0 R >>`;
  objects[2] = `<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`;
  objects[fontRegular] = `<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>`;
  objects[fontBold] = `<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>`;
  pages.forEach((ops, i) => {
    const pageObj = firstPage + i * 2;
    const stream = contentStream(ops);
    objects[pageObj] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${n(A4.width)} ${n(A4.height)}] /Resources << /Font << /F1 ${fontRegular} 0 R /F2 ${fontBold} 0 R >> >> /Contents ${pageObj + 1} 0 R >>`;
    objects[pageObj + 1] = `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`;
  });
  const infoObj = objects.length;
  objects[infoObj] = `<< /Title ${pdfString(info.title)} /Producer (Kassa) >>`;

  let body = '%PDF-1.4\n%\xE2\xE3\xCF\xD3\n';
  const offsets: number[] = [];
  for (let i = 1; i < objects.length; i++) {
    offsets[i] = Buffer.byteLength(body, 'latin1');
    body += `${i} 0 obj\n${objects[i]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let i = 1; i < objects.length; i++) body += `${String(offsets[i]).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length} /Root 1 0 R /Info ${infoObj} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(body, 'latin1'));
}
