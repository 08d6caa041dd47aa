// When the soak calls the heap's growth a leak. Both figures are read right after a full GC (settled), the
// first after the warm-up (JIT, answer cache and connection state in place), the last after the load stopped.
// What may grow is the index's own share: the cluster objects the server holds now beyond those at the start,
// at HEAP_BYTES_PER_OBJECT each, plus a fixed HEAP_ALLOWANCE_BYTES.
import type { MemorySample } from './soaked-server.js';

/**
 * Heap per cluster object held: about four times what one costs (docs/benchmarks.md "Memory and startup":
 * roughly 1 MiB of RSS per thousand Services and Pods), so only growth beyond the data's own is a leak.
 */
export const HEAP_BYTES_PER_OBJECT = 4096;
/**
 * Growth allowed with no change in the objects: V8's optimised code and inline caches, the forwarded-answer cache
 * and the metrics' label sets, which keep settling after the warm-up.
 */
export const HEAP_ALLOWANCE_BYTES = 8 * 1024 * 1024;

export interface HeapVerdict {
  growthBytes: number;
  objectGrowth: number;
  allowedBytes: number;
  ok: boolean;
}

export function heapVerdict(start: MemorySample, end: MemorySample): HeapVerdict {
  const growthBytes = end.heapUsedBytes - start.heapUsedBytes;
  const objectGrowth = end.objects - start.objects;
  const allowedBytes = HEAP_ALLOWANCE_BYTES + Math.max(0, objectGrowth) * HEAP_BYTES_PER_OBJECT;
  return { growthBytes, objectGrowth, allowedBytes, ok: growthBytes <= allowedBytes };
}
