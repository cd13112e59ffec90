/**
 * A map keyed by two strings (entity and id, kind and key). The push path looks every entity and
 * unique key up several times per mutation; a joined key (`${entity}\u0000${id}`) is a new string
 * each time that V8 must flatten and hash, where nested maps hash the strings the request already
 * holds, once each.
 */
export class PairMap<V> {
  private readonly outer = new Map<string, Map<string, V>>();

  get(a: string, b: string): V | undefined {
    return this.outer.get(a)?.get(b);
  }

  has(a: string, b: string): boolean {
    return this.outer.get(a)?.has(b) ?? false;
  }

  set(a: string, b: string, value: V): void {
    let inner = this.outer.get(a);
    if (!inner) this.outer.set(a, (inner = new Map()));
    inner.set(b, value);
  }

  /** Every entry, grouped by the first key in insertion order. */
  *entries(): IterableIterator<[string, string, V]> {
    for (const [a, inner] of this.outer) for (const [b, v] of inner) yield [a, b, v];
  }

  /** Copies every entry of `other` over this map's. */
  assign(other: PairMap<V>): void {
    for (const [a, inner] of other.outer) {
      const mine = this.outer.get(a);
      if (!mine) this.outer.set(a, new Map(inner));
      else for (const [b, v] of inner) mine.set(b, v);
    }
  }

  get size(): number {
    let n = 0;
    for (const inner of this.outer.values()) n += inner.size;
    return n;
  }
}
