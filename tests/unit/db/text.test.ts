import fc from 'fast-check';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../src-main/db/queries/cursor';
import { ftsMatchExpression, patientSortKey, sortKey } from '../../../src-main/db/queries/text';

describe('sortKey: Swedish order with a BINARY index', () => {
  it('puts å, ä, ö after z in that order and folds other accents', () => {
    const names = ['Öberg', 'Zorn', 'Åberg', 'Ängel', 'Andersson', 'Éklund', 'ekholm', 'Aronsson'];
    const sorted = [...names].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
    expect(sorted).toEqual(['Andersson', 'Aronsson', 'ekholm', 'Éklund', 'Zorn', 'Åberg', 'Ängel', 'Öberg']);
  });
  it('is case-insensitive and NFC/NFD-insensitive', () => {
    expect(sortKey('STRÖMBERG')).toBe(sortKey('strömberg'));
    expect(sortKey('Stro\u0308mberg')).toBe(sortKey('Strömberg'));
    expect(patientSortKey('Åsa', 'Öberg')).toBe('}berg {sa');
  });
});

describe('ftsMatchExpression', () => {
  it('quotes every word, ANDs them, and makes only the last one a prefix (type-ahead)', () => {
    expect(ftsMatchExpression('ström')).toBe('"ström"*');
    expect(ftsMatchExpression('  Åsa   Ström ')).toBe('"Åsa" AND "Ström"*');
    expect(ftsMatchExpression('')).toBeNull();
    expect(ftsMatchExpression(' -- "" ')).toBeNull();
  });
  it('also tries the joined digits of a number written with separators', () => {
    expect(ftsMatchExpression('451224-1234')).toBe('("451224" AND "1234"*) OR "4512241234"*');
    expect(ftsMatchExpression('+46 70 123')).toBe('("46" AND "70" AND "123"*) OR "4670123"*');
    expect(ftsMatchExpression('ORD-2025-1')).toBe('"ORD" AND "2025" AND "1"*');
  });
  it('never produces an expression FTS5 rejects, whatever the input', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE VIRTUAL TABLE f USING fts5(x, tokenize="unicode61 remove_diacritics 0")`);
    db.exec(`INSERT INTO f VALUES ('Åsa Strömberg 194512241234')`);
    const q = db.prepare('SELECT count(*) FROM f WHERE f MATCH ?').pluck();
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
        const m = ftsMatchExpression(s);
        if (m !== null) expect(() => q.get(m)).not.toThrow();
      }),
      { numRuns: 500 },
    );
    db.close();
  });
});

describe('keyset cursors', () => {
  it('round-trips and refuses a cursor of another sort or direction, or garbage', () => {
    const c = encodeCursor({ s: 'total', d: 'desc', k: 12_500, i: 42 });
    expect(decodeCursor(c, 'total', 'desc')).toEqual({ s: 'total', d: 'desc', k: 12_500, i: 42 });
    expect(decodeCursor(c, 'createdAt', 'desc')).toBeNull();
    expect(decodeCursor(c, 'total', 'asc')).toBeNull();
    expect(decodeCursor('%%%', 'total', 'desc')).toBeNull();
    expect(decodeCursor(Buffer.from('{"s":"total","d":"desc","k":{"x":1},"i":1}').toString('base64url'), 'total', 'desc')).toBeNull();
  });
});
