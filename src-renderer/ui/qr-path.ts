import { create } from 'qrcode';

/** The quiet zone the QR standard asks for around the code, in modules. */
const QUIET = 4;

/**
 * A QR code as one SVG path of its dark modules (a few kB even for BankID's longest animated
 * text), with the quiet zone included in `size`. Pure, so a test can draw the code it expects.
 */
export function qrPath(text: string): { size: number; d: string } {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  let d = '';
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (modules.get(row, col)) d += `M${col + QUIET} ${row + QUIET}h1v1h-1z`;
    }
  }
  return { size: modules.size + 2 * QUIET, d };
}
