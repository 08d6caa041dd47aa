// Runs one target in a worker thread, so that the CLI's watchdog (watchdog.ts) can stop an input that never
// returns: a synchronous loop cannot be interrupted from inside its own thread.
import { parentPort, workerData } from 'node:worker_threads';
import { runFuzz, type FuzzRunOptions } from './run-fuzz.js';

const { options, heartbeat } = workerData as { options: Omit<FuzzRunOptions, 'onIteration' | 'onProgress'>; heartbeat: SharedArrayBuffer };
const beat = new Int32Array(heartbeat);
const result = await runFuzz({
  ...options,
  onIteration: (iteration) => {
    Atomics.store(beat, 0, iteration);
    Atomics.add(beat, 1, 1);
  },
  onProgress: (line) => parentPort?.postMessage({ progress: line }),
});
parentPort?.postMessage({ result });
