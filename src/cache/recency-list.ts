// Least-recently-used order over objects that carry their own links: moving an entry to the front on a hit
// and evicting from the back are a few pointer writes, with nothing allocated per hit (a general LRU map
// allocates an options object per get and looks the key up in a Map of its own).

/** An object the list can hold: the list owns these two fields. */
export interface RecencyLinks<T> {
  older: T | null;
  newer: T | null;
}

export class RecencyList<T extends RecencyLinks<T>> {
  private newest: T | null = null;
  private oldest: T | null = null;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds `item` (not in the list) as the most recently used. */
  add(item: T): void {
    item.older = this.newest;
    item.newer = null;
    if (this.newest !== null) this.newest.newer = item;
    else this.oldest = item;
    this.newest = item;
    this.count++;
  }

  /** Makes `item` the most recently used; an item not in the list stays out. */
  touch(item: T): void {
    if (this.newest === item || !this.holds(item)) return;
    this.unlink(item);
    this.count++;
    item.older = this.newest;
    item.newer = null;
    (this.newest as T).newer = item;
    this.newest = item;
  }

  /** Takes `item` out; one not in the list is left alone. */
  remove(item: T): void {
    if (!this.holds(item)) return;
    this.unlink(item);
    item.older = null;
    item.newer = null;
  }

  /** The least recently used item, taken out of the list; null when empty. */
  removeOldest(): T | null {
    const item = this.oldest;
    if (item !== null) this.remove(item);
    return item;
  }

  clear(): void {
    // Unlink every item so none keeps its neighbours (and through them the whole old list) reachable.
    for (let item = this.oldest; item !== null; ) {
      const next: T | null = item.newer;
      item.older = null;
      item.newer = null;
      item = next;
    }
    this.newest = null;
    this.oldest = null;
    this.count = 0;
  }

  /** Only the oldest item has no older neighbour, and only the newest no newer one. */
  private holds(item: T): boolean {
    return (item.older !== null || this.oldest === item) && (item.newer !== null || this.newest === item);
  }

  private unlink(item: T): void {
    if (item.older !== null) item.older.newer = item.newer;
    else this.oldest = item.newer;
    if (item.newer !== null) item.newer.older = item.older;
    else this.newest = item.older;
    this.count--;
  }
}
