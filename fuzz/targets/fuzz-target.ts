// What a fuzz target is: set up once, then one input per iteration drawn from the iteration's own generator;
// a property that fails throws FuzzFailure.
import type { Prng } from '../prng.js';

export interface FuzzTarget {
  readonly name: TargetName;
  setup?(): Promise<void>;
  /** One input; throws FuzzFailure when a property does not hold. */
  runOne(rng: Prng, iteration: number): void | Promise<void>;
  /** Checks run once at the end (counters that must add up); throws FuzzFailure. */
  finish?(): Promise<void>;
  teardown?(): Promise<void>;
}

export const TARGET_NAMES = ['codec', 'zonefile', 'corefile', 'server'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];
