import { useMemo } from 'react';
import { qrPath } from './qr-path';

/**
 * A QR code drawn as inline SVG rather than a data: URL or a canvas: it needs nothing from the
 * desk's or the console's CSP, stays crisp at any zoom, and is plain DOM. Black on white whatever
 * the theme, because phone cameras read dark-on-light codes best.
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
