// Existence (RFC 8020 / RFC 4592 2.2.2: a name exists when it has records, is declared, or has an existing
// descendant) checked against a brute-force model over random owner changes: shared records, declared names,
// empty non-terminals, names leaving and coming back. The index keeps counts incrementally; the model
// recomputes everything from the owners each step, so any bookkeeping slip shows as a mismatch.
import { describe, expect, it } from 'vitest';
import { RecordIndex } from '../../../src/records/record-index.js';
import { RRType, type ResourceRecord } from '../../../src/wire/types.js';
import { rr } from './helpers.js';

const ZONE = 'cluster.local';
const LABELS = ['a', 'b', 'c', '_tcp', '_http'];

/** A small deterministic PRNG (mulberry32), so a failure replays. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomName(random: () => number): string {
  const depth = 1 + Math.floor(random() * 3);
  const labels = Array.from({ length: depth }, () => LABELS[Math.floor(random() * LABELS.length)]);
  return `${labels.join('.')}.svc.${ZONE}`;
}

/** Every name at or above `name` inside the zone. */
function selfAndAncestors(name: string): string[] {
  const out: string[] = [];
  for (let current = name; ; current = current.slice(current.indexOf('.') + 1)) {
    out.push(current);
    if (current === ZONE) return out;
  }
}

describe('RecordIndex existence against a brute-force model', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: 400 random owner changes`, () => {
      const random = prng(seed);
      const index = new RecordIndex({ zones: [ZONE], ttl: 5, now: () => 1000 });
      const owners = new Map<string, { records: ResourceRecord[]; names: string[] }>();
      const universe = new Set<string>();
      for (let step = 0; step < 400; step++) {
        const owner = `owner-${Math.floor(random() * 6)}`;
        if (random() < 0.25) {
          index.deleteOwner(owner);
          owners.delete(owner);
        } else {
          // Few distinct RDATA values, so owners often publish the very same record (shared, refcounted).
          const records = Array.from({ length: Math.floor(random() * 4) }, () =>
            rr(randomName(random), RRType.A, `10.0.0.${1 + Math.floor(random() * 2)}`),
          );
          const names = random() < 0.3 ? [randomName(random)] : [];
          index.setOwner(owner, records, names);
          owners.set(owner, { records, names });
        }
        const existing = new Set<string>([ZONE]);
        for (const { records, names } of owners.values()) {
          for (const name of [...records.map((r) => r.name), ...names]) {
            universe.add(name);
            for (const up of selfAndAncestors(name)) existing.add(up);
          }
        }
        for (const name of universe) {
          for (const up of selfAndAncestors(name)) {
            if (index.exists(up) !== existing.has(up)) {
              throw new Error(`step ${step}: exists(${up}) is ${index.exists(up)}, the model says ${existing.has(up)}`);
            }
            const result = index.lookup(up, RRType.TXT);
            expect(result.kind).toBe(existing.has(up) ? 'nodata' : 'nxdomain');
          }
        }
      }
    });
  }
});
