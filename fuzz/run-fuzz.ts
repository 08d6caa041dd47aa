// Runs targets for a number of iterations (or until a time limit), stopping each at its first failure, and
// reports what reproduces it. Used by the CLI (fuzz/main.ts) and the bounded CI run (test/fuzz/).
import { FuzzFailure, describeError } from './fuzz-failure.js';
import { Prng } from './prng.js';
import { codecTarget } from './targets/codec-target.js';
import { corefileTarget } from './targets/corefile-target.js';
import type { FuzzTarget, TargetName } from './targets/fuzz-target.js';
import { serverTarget } from './targets/server-target.js';
import { zonefileTarget } from './targets/zonefile-target.js';

export interface FuzzRunOptions {
  target: TargetName;
  iterations: number;
  seed: number;
  /** The first iteration to run (re-running one failure: `--from I --iterations 1`). */
  from?: number;
  /** Stop early once this much time has passed. */
  timeLimitMs?: number;
  /** Called before each iteration (the watchdog's heartbeat). */
  onIteration?: (iteration: number) => void;
  /** Progress lines (the CLI prints them). */
  onProgress?: (line: string) => void;
}

export interface FuzzFailureReport {
  target: TargetName;
  seed: number;
  iteration: number;
  property: string;
  detail: string;
  input: string;
  /** The command that runs exactly this input again. */
  reproduce: string;
}

export interface FuzzRunResult {
  target: TargetName;
  seed: number;
  /** Iterations that ran with every property holding. */
  clean: number;
  elapsedMs: number;
  failure: FuzzFailureReport | null;
}

export function createTarget(name: TargetName): FuzzTarget {
  switch (name) {
    case 'codec':
      return codecTarget();
    case 'zonefile':
      return zonefileTarget();
    case 'corefile':
      return corefileTarget();
    case 'server':
      return serverTarget();
  }
}

export async function runFuzz(options: FuzzRunOptions): Promise<FuzzRunResult> {
  const { target: name, iterations, seed } = options;
  const from = options.from ?? 0;
  const target = createTarget(name);
  const started = performance.now();
  let clean = 0;
  let failure: FuzzFailureReport | null = null;
  let nextProgress = started + 10_000;
  const fail = (iteration: number, err: unknown) => {
    const known = err instanceof FuzzFailure ? err : new FuzzFailure('the harness itself does not throw', describeError(err), '');
    failure = {
      target: name,
      seed,
      iteration,
      property: known.property,
      detail: known.detail,
      input: known.input,
      reproduce: `npm run fuzz -- --target ${name} --seed ${seed} --from ${iteration} --iterations 1`,
    };
  };
  await target.setup?.();
  try {
    for (let i = from; i < from + iterations; i++) {
      options.onIteration?.(i);
      try {
        const pending = target.check(target.generate(Prng.forIteration(seed, i)));
        if (pending) await pending;
      } catch (err) {
        fail(i, err);
        break;
      }
      clean++;
      if ((i & 0xff) === 0) {
        const now = performance.now();
        if (options.timeLimitMs !== undefined && now - started >= options.timeLimitMs) break;
        if (now >= nextProgress) {
          options.onProgress?.(`${name}: ${clean} iterations clean, ${((now - started) / 1000).toFixed(0)} s`);
          nextProgress = now + 10_000;
        }
        // Timers and sockets of the server target get their turn even when every iteration is synchronous.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    if (failure === null && target.finish) {
      try {
        await target.finish();
      } catch (err) {
        fail(from + clean, err);
      }
    }
  } finally {
    await target.teardown?.();
  }
  return { target: name, seed, clean, elapsedMs: performance.now() - started, failure };
}

export function formatFailure(report: FuzzFailureReport): string {
  return [
    `FAIL ${report.target}: ${report.property}`,
    `  seed ${report.seed}, iteration ${report.iteration}`,
    `  input: ${report.input}`,
    `  ${report.detail.split('\n').join('\n  ')}`,
    `  reproduce: ${report.reproduce}`,
  ].join('\n');
}
