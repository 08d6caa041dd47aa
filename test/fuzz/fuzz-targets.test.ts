// The bounded fuzz run CI does: each target for a fixed number of iterations from a fixed seed (the long
// campaigns are `npm run fuzz`, docs/reliability.md "Fuzzing"). A failure prints what reproduces it.
import { describe, expect, it } from 'vitest';
import { mutatePacket, toHex } from '../../fuzz/byte-mutator.js';
import { FuzzFailure, withinBudget } from '../../fuzz/fuzz-failure.js';
import { packetCorpus } from '../../fuzz/packet-corpus.js';
import { Prng } from '../../fuzz/prng.js';
import { formatFailure, runFuzz } from '../../fuzz/run-fuzz.js';
import type { TargetName } from '../../fuzz/targets/fuzz-target.js';

const SEED = 20261202;

async function expectClean(target: TargetName, iterations: number): Promise<void> {
  const result = await runFuzz({ target, iterations, seed: SEED });
  expect(result.failure === null ? 'clean' : formatFailure(result.failure)).toBe('clean');
  expect(result.clean).toBe(iterations);
}

describe('the bounded fuzz run', () => {
  it('codec: 2,500 mutated packets and random messages decode or throw WireFormatError, in time, and round trip', async () => {
    await expectClean('codec', 2500);
  }, 60_000);

  it('zone files: 150 mutated zone files parse or fail with ClusterDnsError naming file and line', async () => {
    await expectClean('zonefile', 150);
  }, 60_000);

  it('Corefiles: 250 mutated Corefiles give settings or fail with ClusterDnsError naming file and line', async () => {
    await expectClean('corefile', 250);
  }, 60_000);

  it('server: after each of 150 batches of mutated UDP and TCP traffic a good query is answered over both, and the counters add up', async () => {
    await expectClean('server', 150);
  }, 60_000);
});

describe('the harness', () => {
  it('draws the same inputs from the same seed and iteration, and other inputs from another seed', () => {
    const corpus = packetCorpus();
    const draw = (seed: number, iteration: number) => toHex(mutatePacket(corpus, Prng.forIteration(seed, iteration)));
    expect(draw(7, 42)).toBe(draw(7, 42));
    const others = new Set(Array.from({ length: 20 }, (_, i) => draw(8, i)));
    expect(others.size).toBeGreaterThan(10);
  });

  it('fails an input that is over its time budget twice, not one slow once', () => {
    let calls = 0;
    const slowOnce = () => {
      calls++;
      if (calls === 1) for (const end = performance.now() + 250; performance.now() < end; );
    };
    // A budget well above a scheduler preemption on a loaded machine, so only the deliberate spin is slow.
    expect(() => withinBudget(100, slowOnce, (ms) => { throw new FuzzFailure('budget', `${ms}`, ''); })).not.toThrow();
    const alwaysSlow = () => {
      for (const end = performance.now() + 250; performance.now() < end; );
    };
    expect(() => withinBudget(100, alwaysSlow, (ms) => { throw new FuzzFailure('budget', `${ms}`, ''); })).toThrow(FuzzFailure);
  });

  it('reports a failure with the seed, the iteration and the command that runs it again', async () => {
    const result = await runFuzz({ target: 'codec', iterations: 1, seed: 5, from: 3 });
    expect(result.clean).toBe(1);
    const text = formatFailure({ target: 'codec', seed: 5, iteration: 3, property: 'p', detail: 'd', input: 'ab', reproduce: 'npm run fuzz -- --target codec --seed 5 --from 3 --iterations 1' });
    expect(text).toContain('seed 5, iteration 3');
    expect(text).toContain('input: ab');
  });
});
