import { describe, expect, it } from 'vitest';
import { PairMap } from '../../../src-server/sync/pair-map';

describe('PairMap', () => {
  it('keeps pairs apart that a joined key could confuse, and assigns over its own entries', () => {
    const m = new PairMap<number>();
    m.set('a\u0000b', 'c', 1);
    m.set('a', 'b\u0000c', 2);
    expect([m.get('a\u0000b', 'c'), m.get('a', 'b\u0000c'), m.get('a', 'b')]).toEqual([1, 2, undefined]);
    expect(m.has('a', 'b\u0000c')).toBe(true);
    const other = new PairMap<number>();
    other.set('a', 'b\u0000c', 3);
    other.set('x', 'y', 4);
    m.assign(other);
    expect([...m.entries()]).toEqual([['a\u0000b', 'c', 1], ['a', 'b\u0000c', 3], ['x', 'y', 4]]);
    expect(m.size).toBe(3);
    // assign copies: later writes to either map stay in that map.
    other.set('x', 'y', 5);
    expect(m.get('x', 'y')).toBe(4);
  });
});
