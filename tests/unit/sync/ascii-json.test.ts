import { describe, expect, it } from 'vitest';
import { asciiJson } from '../../../src-shared/sync/ascii-json';

describe('asciiJson', () => {
  const value = {
    name: 'Åsa Öberg-Ström',
    note: 'tand 🦷, "citat" \\ och \u2028radbrytning\u2029',
    lines: [{ description: 'Undersökning', amount: 95_000, discount: null, paid: false }],
    control: '\u0000\u001f\u007f\u0080',
  };

  it('writes only ASCII and reads back as the same value', () => {
    const text = asciiJson(value);
    expect(text).toMatch(/^[\x20-\x7f]*$/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('leaves ASCII-only JSON exactly as JSON.stringify writes it', () => {
    const plain = { a: 'abc', b: [1, 2.5, -3], c: { d: null, e: true }, f: 'quote " and \\ backslash' };
    expect(asciiJson(plain)).toBe(JSON.stringify(plain));
  });

  it('escapes each UTF-16 unit, so characters beyond the BMP survive as surrogate pairs', () => {
    expect(asciiJson('å🦷')).toBe('"\\u00e5\\ud83e\\uddb7"');
  });
});
