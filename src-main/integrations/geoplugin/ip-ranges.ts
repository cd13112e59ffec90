import { isIP } from 'node:net';

/**
 * Addresses geoPlugin can say nothing about (it answers 404 with nulls), so no request is spent on
 * them: RFC 1918, CGNAT, loopback, link-local, unspecified, multicast/reserved, and IPv6 loopback,
 * unique-local (fc00::/7), link-local (fe80::/10) and unspecified.
 */
export function skipReason(ip: string): 'malformed' | 'private' | null {
  const family = isIP(ip);
  if (family === 4) return isNonPublicV4(ip) ? 'private' : null;
  if (family === 6) {
    const lower = ip.toLowerCase();
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    if (mapped?.[1]) return isNonPublicV4(mapped[1]) ? 'private' : null;
    if (lower === '::1' || lower === '::') return 'private';
    const first = parseInt(lower.split(':')[0] || '0', 16);
    if ((first & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
    if ((first & 0xffc0) === 0xfe80) return 'private'; // fe80::/10 link-local
    if ((first & 0xff00) === 0xff00) return 'private'; // multicast
    return null;
  }
  return 'malformed';
}

function isNonPublicV4(ip: string): boolean {
  const [a = 0, b = 0] = ip.split('.').map(Number);
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    a >= 224
  );
}
