import { describe, expect, it } from 'vitest';
import { RecencyList, type RecencyLinks } from '../../../src/cache/recency-list.js';

class Item implements RecencyLinks<Item> {
  older: Item | null = null;
  newer: Item | null = null;
  constructor(readonly name: string) {}
}

/** Drains the list oldest first. */
function order(list: RecencyList<Item>): string[] {
  const names: string[] = [];
  for (let item = list.removeOldest(); item !== null; item = list.removeOldest()) names.push(item.name);
  return names;
}

describe('RecencyList', () => {
  it('gives items back least recently used first, a touched item last', () => {
    const list = new RecencyList<Item>();
    const [a, b, c] = ['a', 'b', 'c'].map((name) => new Item(name));
    list.add(a);
    list.add(b);
    list.add(c);
    list.touch(c); // already the newest: nothing moves
    list.touch(a);
    expect(list.size).toBe(3);
    expect(order(list)).toEqual(['b', 'c', 'a']);
    expect(list.size).toBe(0);
  });

  it('leaves the list intact when an item not in it (never added, or removed twice) is touched or removed', () => {
    const list = new RecencyList<Item>();
    const [a, b, stranger] = ['a', 'b', 'stranger'].map((name) => new Item(name));
    list.add(a);
    list.add(b);
    list.remove(a);
    list.remove(a);
    list.touch(a);
    list.touch(stranger);
    list.remove(stranger);
    expect(list.size).toBe(1);
    expect(order(list)).toEqual(['b']);
  });

  it('unlinks every item on clear, so none keeps the old list reachable', () => {
    const list = new RecencyList<Item>();
    const items = ['a', 'b', 'c'].map((name) => new Item(name));
    for (const item of items) list.add(item);
    list.clear();
    expect(list.size).toBe(0);
    expect(items.every((item) => item.older === null && item.newer === null)).toBe(true);
    expect(list.removeOldest()).toBeNull();
  });
});
