import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { compactHeap } from '../../../src/runtime/heap-compaction.js';

describe('compactHeap', () => {
  it('collects garbage in the old generation now, without exposing gc() to the process', () => {
    const hadGc = typeof (globalThis as { gc?: unknown }).gc;
    // ≈ 40 MB that survives two scavenges (promoted to the old generation), then becomes garbage.
    let survivors: string[][] | null = [];
    for (let i = 0; i < 200; i++) survivors.push(Array.from({ length: 5_000 }, (_, j) => `item-${i}-${j}`));
    compactHeap();
    const before = v8.getHeapStatistics().used_heap_size;
    survivors.length = 0;
    survivors = null;
    const ms = compactHeap();
    const after = v8.getHeapStatistics().used_heap_size;
    expect(before - after).toBeGreaterThan(20 * 1024 * 1024);
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe(hadGc);
  });

  it('gives back old-generation pages that the load left half empty, not only the garbage in them', () => {
    const oldSpace = () => v8.getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')!;
    // One array, so the objects are promoted in index order; then every other one becomes garbage: no page
    // is left empty, so only moving the survivors together frees whole pages.
    const loaded: Array<{ n: number; s: string } | null> = [];
    for (let i = 0; i < 600_000; i++) loaded.push({ n: i, s: `name-${i}` });
    compactHeap();
    const before = oldSpace();
    for (let i = 1; i < loaded.length; i += 2) loaded[i] = null;
    compactHeap();
    const after = oldSpace();
    expect(loaded.filter((item) => item !== null)).toHaveLength(300_000); // the survivors are still held
    expect(before.space_used_size - after.space_used_size).toBeGreaterThan(10 * 1024 * 1024);
    expect(after.physical_space_size).toBeLessThan(before.physical_space_size * 0.7);
  });
});
