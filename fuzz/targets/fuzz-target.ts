// What a fuzz target is: set up once; per iteration an input drawn from the iteration's own generator, then
// checked. Generating apart from checking lets a watchdog print the input of an iteration that hung.
import type { Prng } from '../prng.js';

export interface FuzzTarget<Input = unknown> {
  readonly name: TargetName;
  setup?(): Promise<void>;
  generate(rng: Prng): Input;
  /** Throws FuzzFailure when a property does not hold for `input`. */
  check(input: Input): void | Promise<void>;
  /** The input as the failure report prints it (hex for bytes, JSON-quoted text for files). */
  format(input: Input): string;
  /** Checks run once at the end (counters that must add up); throws FuzzFailure. */
  finish?(): Promise<void>;
  teardown?(): Promise<void>;
}

export const TARGET_NAMES = ['codec', 'zonefile', 'corefile', 'server'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];
