// A map from a key to a set of strings where nearly every key has one value (a pod IP → the pod, a Service →
// its one EndpointSlice): a lone value is stored as itself, and a Set is made only for a second one. A
// one-element Set per key costs a hash table each, which at tens of thousands of keys is megabytes.

export class KeySets {
  private readonly map = new Map<string, string | Set<string>>();

  add(key: string, value: string): void {
    const held = this.map.get(key);
    if (held === undefined) this.map.set(key, value);
    else if (held instanceof Set) held.add(value);
    else if (held !== value) this.map.set(key, new Set([held, value]));
  }

  delete(key: string, value: string): void {
    const held = this.map.get(key);
    if (held === undefined) return;
    if (!(held instanceof Set)) {
      if (held === value) this.map.delete(key);
      return;
    }
    held.delete(value);
    if (held.size === 1) this.map.set(key, held.values().next().value as string);
    else if (held.size === 0) this.map.delete(key);
  }

  /** What `key` holds: one value (a string), several (a Set), or undefined; `list` gives either as an array. */
  get(key: string): string | ReadonlySet<string> | undefined {
    return this.map.get(key);
  }

  has(key: string, value: string): boolean {
    const held = this.map.get(key);
    return held instanceof Set ? held.has(value) : held === value;
  }

  /** Every key that holds a value. */
  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  /** The values at `key` as an array (a copy: callers may change the map while they walk it). */
  list(key: string): string[] {
    const held = this.map.get(key);
    if (held === undefined) return [];
    return held instanceof Set ? [...held] : [held];
  }
}
