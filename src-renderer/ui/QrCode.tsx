import { create } from 'qrcode';
import { useMemo } from 'react';

/** The quiet zone the QR standard asks for around the code, in modules. */
const QUIET = 4;

/** One SVG path of the dark modules: a few kB even for BankID's longest animated text. */
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

/**
 * A QR code drawn as inline SVG. Not a data: URL or a canvas: the desk's CSP keeps img-src to
 * itself, and an inline <svg> element needs nothing from it. Black on white whatever the theme,
 * because phone cameras read dark-on-light codes best.
 */
export function QrCode({ text, label, pixels = 240, testId }: { text: string; label: string; pixels?: number; testId?: string }) {
  const { size, d } = useMemo(() => qrPath(text), [text]);
  return (
    <svg
      role="img"
      aria-label={label}
      viewBox={`0 0 ${size} ${size}`}
      width={pixels}
      height={pixels}
      shapeRendering="crispEdges"
      data-testid={testId}
      className="qr-code"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
