import { describe, expect, it } from 'vitest';
import { KeySets } from '../../../src/cluster/key-sets.js';

describe('KeySets', () => {
  it('holds a lone value as itself and a Set only from the second value on, and back again', () => {
    const sets = new KeySets();
    sets.add('10.0.0.1', 'ns/a');
    expect(sets.get('10.0.0.1')).toBe('ns/a');
    sets.add('10.0.0.1', 'ns/a'); // the same value twice stays one
    expect(sets.get('10.0.0.1')).toBe('ns/a');
    sets.add('10.0.0.1', 'ns/b');
    expect(sets.get('10.0.0.1')).toBeInstanceOf(Set);
    expect(sets.list('10.0.0.1')).toEqual(['ns/a', 'ns/b']);
    sets.delete('10.0.0.1', 'ns/a');
    expect(sets.get('10.0.0.1')).toBe('ns/b');
    sets.delete('10.0.0.1', 'ns/b');
    expect(sets.get('10.0.0.1')).toBeUndefined();
    expect(sets.list('10.0.0.1')).toEqual([]);
  });

  it('answers has() for lone and shared values, and ignores deleting what it does not hold', () => {
    const sets = new KeySets();
    sets.add('svc', 's1');
    sets.delete('svc', 's2');
    expect(sets.has('svc', 's1')).toBe(true);
    expect(sets.has('svc', 's2')).toBe(false);
    sets.add('svc', 's2');
    sets.add('svc', 's3');
    sets.delete('svc', 's1');
    expect(sets.has('svc', 's1')).toBe(false);
    expect(sets.list('svc')).toEqual(['s2', 's3']);
    expect(sets.has('other', 's1')).toBe(false);
  });

  it('gives list() as a copy, so a caller may change the map while walking it', () => {
    const sets = new KeySets();
    sets.add('svc', 's1');
    sets.add('svc', 's2');
    const walked: string[] = [];
    for (const v of sets.list('svc')) {
      walked.push(v);
      sets.delete('svc', v);
    }
    expect(walked).toEqual(['s1', 's2']);
    expect(sets.get('svc')).toBeUndefined();
  });
});
