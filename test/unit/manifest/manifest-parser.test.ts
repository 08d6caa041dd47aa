import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestInSlices, digestOf } from '../../../src/manifest/manifest-parser.js';
import { TimeSlicer } from '../../../src/runtime/time-slicer.js';

describe('manifest digests', () => {
  it('digestInSlices, hashing a chunk at a time, gives digestOf\'s SHA-256 of the whole bytes, also across chunk edges', async () => {
    for (const size of [0, 1, (1 << 20) - 1, 1 << 20, 3 * (1 << 20) + 17]) {
      const bytes = Buffer.alloc(size, 0);
      for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 12)) & 255;
      const sliced = await digestInSlices(bytes, new TimeSlicer(0));
      expect(sliced).toBe(digestOf(bytes));
      expect(sliced).toBe(createHash('sha256').update(bytes).digest('base64'));
    }
  });
});
