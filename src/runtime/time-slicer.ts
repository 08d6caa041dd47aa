// Long work on the serving thread done in slices: `pause()` yields to the event loop (setImmediate, so the
// I/O already waiting — queries on the sockets, probe requests — runs first) once the current slice has run
// for `sliceMs`. Applying a 20,000-object snapshot is then many short tasks instead of one long one.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

export class TimeSlicer {
  private sliceStarted = performance.now();

  constructor(private readonly sliceMs = 8) {}

  /** True when the current slice is used up (call pause() then). */
  get due(): boolean {
    return performance.now() - this.sliceStarted >= this.sliceMs;
  }

  /** Yield if the slice is used up; resolves at once otherwise. */
  async pause(): Promise<void> {
    if (!this.due) return;
    await yieldToEventLoop();
    this.sliceStarted = performance.now();
  }
}

/** Apply `items` in batches of `batch`, yielding between batches whenever the slice is used up. */
export async function inSlices<T>(items: readonly T[], batch: number, run: (chunk: readonly T[]) => void, slicer = new TimeSlicer()): Promise<void> {
  for (let at = 0; at < items.length; at += batch) {
    run(items.slice(at, at + batch));
    await slicer.pause();
  }
}
