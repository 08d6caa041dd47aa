// The CLI's way to run a target: in a worker (fuzz-worker.ts) watched from here. An iteration that does not
// finish within `hangMs` is a hang: the worker is stopped, and the input is generated again from the seed and
// iteration (generation is deterministic) so the report shows it like any other failure.
import { Worker } from 'node:worker_threads';
import { Prng } from './prng.js';
import { createTarget, type FuzzRunOptions, type FuzzRunResult } from './run-fuzz.js';

export async function runWatched(options: Omit<FuzzRunOptions, 'onIteration' | 'onProgress'>, hangMs: number, onProgress: (line: string) => void): Promise<FuzzRunResult> {
  const heartbeat = new SharedArrayBuffer(8);
  const beat = new Int32Array(heartbeat);
  const started = performance.now();
  const worker = new Worker(new URL('./fuzz-worker.js', import.meta.url), { workerData: { options, heartbeat } });
  return new Promise((resolve, reject) => {
    let lastBeats = -1;
    let lastChange = performance.now();
    const timer = setInterval(() => {
      const beats = Atomics.load(beat, 1);
      const now = performance.now();
      if (beats !== lastBeats) {
        lastBeats = beats;
        lastChange = now;
        return;
      }
      if (now - lastChange < hangMs) return;
      clearInterval(timer);
      const iteration = Atomics.load(beat, 0);
      void worker.terminate();
      const target = createTarget(options.target);
      const input = target.format(target.generate(Prng.forIteration(options.seed, iteration)));
      resolve({
        target: options.target,
        seed: options.seed,
        clean: iteration - (options.from ?? 0),
        elapsedMs: now - started,
        failure: {
          target: options.target,
          seed: options.seed,
          iteration,
          property: `no input hangs (an iteration finishes within ${hangMs / 1000} s)`,
          detail: `iteration ${iteration} still running after ${((now - lastChange) / 1000).toFixed(0)} s`,
          input,
          reproduce: `npm run fuzz -- --target ${options.target} --seed ${options.seed} --from ${iteration} --iterations 1`,
        },
      });
    }, 1000);
    worker.on('message', (message: { progress?: string; result?: FuzzRunResult }) => {
      if (message.progress) onProgress(message.progress);
      if (message.result) {
        clearInterval(timer);
        resolve(message.result);
      }
    });
    worker.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
  });
}
