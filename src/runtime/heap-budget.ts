// Whether cluster data fits in the JS heap, asked before and while it loads, so a process started with a heap
// limit it cannot meet (`node --max-old-space-size`, NODE_OPTIONS, a container's memory) stops at load with
// a message that says how big the data is and what to raise, instead of dying of OOM later, mid-serve.
import { getHeapStatistics } from 'node:v8';
import { ClusterDnsError, ErrorCodes } from '../errors.js';

const MB = 1024 * 1024;

/**
 * A manifest's text is held whole as a string while it is parsed (in the parse worker, whose heap has the
 * same limit); with the parser's own allocations beside it, a file over this share of the limit cannot load.
 */
const TEXT_SHARE_OF_LIMIT = 0.5;
/**
 * A manifest is parsed on the serving thread only below this share of the limit: there, running out of heap is
 * fatal, where the parse worker's is caught and reported as HEAP_LIMIT. Its trimmed objects and then its index
 * take about three and a half times the text, so an eighth leaves room for garbage not yet collected.
 */
const SERVING_THREAD_SHARE_OF_LIMIT = 1 / 8;
/** Objects applied before the growth per object is trusted for a projection. */
const MIN_SAMPLE = 2000;

/** A V8 size flag in megabytes from the command line or NODE_OPTIONS (`--max-old-space-size=64`, `_` or `-`). */
function sizeFlagMb(name: string): number | undefined {
  const pattern = new RegExp(`--${name.replaceAll('-', '[-_]')}[= ](\\d+)`);
  const match = pattern.exec([...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' '));
  return match ? Number(match[1]) : undefined;
}

/** V8's default semi-space on 64-bit: the young generation takes three of them. */
const DEFAULT_SEMI_SPACE_MB = 16;

/**
 * The old generation's limit, which long-lived data such as the index fills: --max-old-space-size when given,
 * else V8's heap_size_limit less its young generation.
 */
export function heapLimitBytes(): number {
  const old = sizeFlagMb('max-old-space-size');
  if (old !== undefined) return old * MB;
  return getHeapStatistics().heap_size_limit - 3 * (sizeFlagMb('max-semi-space-size') ?? DEFAULT_SEMI_SPACE_MB) * MB;
}

/** How the limit was set, for the message. */
function limitOrigin(): string {
  const old = sizeFlagMb('max-old-space-size');
  return old === undefined ? "Node's default for this machine" : `--max-old-space-size=${old}`;
}

function megabytes(bytes: number): string {
  return `${Math.round(bytes / MB)} MB`;
}

/** The flag that would give about `needBytes` with room to spare (rounded up to 256 MB steps). */
function suggestedLimitMb(needBytes: number): number {
  return Math.ceil((needBytes * 1.5) / MB / 256) * 256;
}

/** `needBytes`: an estimate, or null when all that is known is that the limit was not enough. */
export function heapLimitError(what: string, needBytes: number | null, limitBytes = heapLimitBytes()): ClusterDnsError {
  const suggestion = suggestedLimitMb(Math.max(needBytes ?? limitBytes * 2, limitBytes));
  const need = needBytes === null ? 'it needs more than' : `it needs about ${megabytes(needBytes)} or more and`;
  return new ClusterDnsError(
    ErrorCodes.HEAP_LIMIT,
    `${what} does not fit in the JavaScript heap: ${need} the heap limit is ${megabytes(limitBytes)} (${limitOrigin()}); ` +
      `raise the limit, e.g. NODE_OPTIONS=--max-old-space-size=${suggestion} (and the container's memory with it)`,
  );
}

/** Before parsing `bytes` of a manifest: throws HEAP_LIMIT when its text alone cannot be parsed within the limit. */
export function checkManifestFits(file: string, bytes: number): void {
  const limit = heapLimitBytes();
  if (bytes > limit * TEXT_SHARE_OF_LIMIT) {
    throw heapLimitError(`the manifest ${file} (${megabytes(bytes)})`, bytes / TEXT_SHARE_OF_LIMIT, limit);
  }
}

/** Whether a manifest of `bytes` may be parsed on the serving thread (see SERVING_THREAD_SHARE_OF_LIMIT). */
export function fitsServingThreadParse(bytes: number): boolean {
  return bytes <= heapLimitBytes() * SERVING_THREAD_SHARE_OF_LIMIT;
}

/**
 * Watches the heap while `total` objects are applied: after each batch, the growth per object so far projects
 * the heap at the end; past the limit it throws HEAP_LIMIT before the process runs out. Garbage not yet
 * collected counts as growth, so the projection errs high only by what a collection would free.
 */
export class HeapProjection {
  private readonly startUsed = getHeapStatistics().used_heap_size;
  private readonly limit = heapLimitBytes();

  constructor(
    private readonly what: string,
    private readonly total: number,
  ) {}

  check(applied: number): void {
    if (applied < MIN_SAMPLE || applied >= this.total) return;
    const used = getHeapStatistics().used_heap_size;
    const perObject = Math.max(0, used - this.startUsed) / applied;
    const projected = used + perObject * (this.total - applied);
    if (projected > this.limit) throw heapLimitError(`${this.what} (${this.total} objects)`, projected, this.limit);
  }
}

/** A worker thread that ran out of heap (Node's ERR_WORKER_OUT_OF_MEMORY). */
export function isWorkerOutOfMemory(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
}
