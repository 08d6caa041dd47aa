// One full garbage collection after the initial load.
//
// Loading a cluster allocates several times what it keeps: the parsed JSON of a snapshot or of the API's list
// pages, the trimmed objects' intermediate arrays, the record lists the index replaces. Everything loaded is
// long-lived, so V8 promotes it and the old generation grows; the garbage left among it stays committed
// (resident) until the next major GC, which an idle or steadily serving DNS server may not need for hours.
// One full GC once the data is in releases it, for one pause (figures: docs/benchmarks.md "Memory and
// startup"). It runs once per process, when the first full load is done. It moves objects off the pages V8
// finds most fragmented, not off every page: since the Services and Pods of the first load are published
// when first asked (docs/architecture.md), the heap is small enough that compacting every page costs more
// start-up time than the memory it saves is worth (docs/benchmarks.md "Issue 13", stop 17).
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Logger } from 'pino';

let collect: (() => void) | undefined;

/** V8's gc(): the process's own when it runs with --expose-gc, else one from a fresh context. */
function gcFunction(): () => void {
  if (collect) return collect;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return (collect = exposed);
  // --expose-gc installs gc() in contexts created after it is set; turned off again at once so that the
  // process's own global and later contexts stay as they were.
  v8.setFlagsFromString('--expose-gc');
  try {
    collect = vm.runInNewContext('gc') as () => void;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  return collect;
}

/** Run a full (major) GC now; returns how long it took in milliseconds. */
export function compactHeap(): number {
  const started = performance.now();
  gcFunction()();
  return performance.now() - started;
}

let initialLoadCompacted = false;

/**
 * compactHeap() once per process, after the first full load (later loads leave far less behind: a reload
 * replaces what changed), logged at debug with its pause.
 */
export function compactAfterInitialLoad(logger: Logger): void {
  if (initialLoadCompacted) return;
  initialLoadCompacted = true;
  logger.debug({ ms: Math.round(compactHeap()) }, 'heap compacted after the initial load');
}
