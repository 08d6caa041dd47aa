// Parses manifests in one worker thread (parse-worker.ts), started on demand: a 100,000-Service snapshot takes
// seconds even on the fast paths, YAML outside them far longer, and on the serving thread that would be
// seconds of unanswered queries. The
// objects come back in chunks, one message each, so taking them in is a series of short tasks between which
// queries are answered (parse-worker-protocol.ts).
//
// An idle worker is let go: its isolate keeps the heap the parse grew (several times the file's size) for as
// long as it lives, which for a snapshot loaded once is the whole life of the server. After a large parse it
// goes at once (starting a worker costs little next to such a parse); after a small one it is kept a while
// for the next reload of an edited file, then goes too.
import { Worker } from 'node:worker_threads';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import type { ClusterObject } from '../cluster/objects.js';
import { intern, type TrimOptions } from '../cluster/trim.js';
import { withFailureDigest, type ManifestParser, type ParseOutcome } from './manifest-parser.js';
import type { FromParseWorker, ToParseWorker } from './parse-worker-protocol.js';
import { heapLimitError, isWorkerOutOfMemory } from '../runtime/heap-budget.js';

/** A parse of at least this many bytes lets the worker go as soon as it is idle. */
const LARGE_PARSE_BYTES = 1 << 20;
/** How long an idle worker is kept after smaller parses. */
const IDLE_RELEASE_MS = 5000;

export interface ThreadedManifestParserOptions {
  /** Default LARGE_PARSE_BYTES. */
  largeParseBytes?: number;
  /** Default IDLE_RELEASE_MS. */
  idleReleaseMs?: number;
  /** Called once an idle worker has been let go and its thread has ended. */
  onRelease?: () => void;
}

interface Pending {
  file: string;
  bytes: number;
  objects: ClusterObject[];
  resolve(outcome: ParseOutcome): void;
  reject(err: Error): void;
}

export class ThreadedManifestParser implements ManifestParser {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private largestPendingBytes = 0;
  private readonly largeParseBytes: number;
  private readonly idleReleaseMs: number;
  private readonly onRelease: (() => void) | undefined;

  /** `workerScript`: the path of the built parse-worker.js. */
  constructor(private readonly workerScript: string, options: ThreadedManifestParserOptions = {}) {
    this.largeParseBytes = options.largeParseBytes ?? LARGE_PARSE_BYTES;
    this.idleReleaseMs = options.idleReleaseMs ?? IDLE_RELEASE_MS;
    this.onRelease = options.onRelease;
  }

  /** A worker thread is running (a parse is in flight, or the last one was small and recent). */
  get workerRunning(): boolean {
    return this.worker !== undefined;
  }

  parse(bytes: Uint8Array, file: string, knownDigest: string | undefined, trim?: TrimOptions): Promise<ParseOutcome> {
    if (this.closed) return Promise.reject(new Error('the manifest parser is closed'));
    this.cancelIdleRelease();
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    worker.ref(); // a parse in flight keeps the process alive; an idle worker does not
    return new Promise<ParseOutcome>((resolve, reject) => {
      this.pending.set(id, { file, bytes: bytes.byteLength, objects: [], resolve, reject });
      // A buffer of its own is transferred, not copied: copying a snapshot of tens of megabytes is a long
      // pause of the serving thread (and the copy's pages), and the caller is done with it (ManifestParser).
      const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
      worker.postMessage({ type: 'parse', id, bytes, file, knownDigest, trim } satisfies ToParseWorker, owned ? [bytes.buffer as ArrayBuffer] : []);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelIdleRelease();
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error('the manifest parser was closed'));
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    const worker = new Worker(this.workerScript);
    worker.on('message', (message: FromParseWorker) => this.onMessage(message));
    worker.on('error', (err) => (isWorkerOutOfMemory(err) ? this.outOfMemory(worker) : this.lost(worker, err)));
    worker.on('exit', (code) => this.lost(worker, new Error(`the manifest parse worker exited (code ${code})`)));
    return worker;
  }

  private onMessage(message: FromParseWorker): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type !== 'objects') this.settled(message.id, pending);
    switch (message.type) {
      case 'objects': {
        for (const object of JSON.parse(message.json) as ClusterObject[]) {
          // One string per namespace across the whole load, as an in-thread parse shares it (trim.ts intern).
          if (object.kind !== 'Namespace') object.namespace = intern(object.namespace);
          pending.objects.push(object);
        }
        // The next slice once the I/O waiting now (queries) has run.
        const worker = this.worker;
        setImmediate(() => {
          if (this.worker === worker && this.pending.has(message.id)) worker?.postMessage({ type: 'more', id: message.id } satisfies ToParseWorker);
        });
        return;
      }
      case 'done':
        pending.resolve(
          message.unchanged
            ? { unchanged: true, digest: message.digest }
            : { unchanged: false, digest: message.digest, parsed: { objects: pending.objects, skippedKinds: new Map(message.skippedKinds) } },
        );
        return;
      case 'error': {
        const err =
          message.code === undefined
            ? new Error(message.message)
            : new ClusterDnsError(message.code, message.message, message.location ? { location: message.location } : {});
        pending.reject(message.digest === undefined ? err : withFailureDigest(err, message.digest));
        return;
      }
    }
  }

  /** Parse `id` is over; when it was the last in flight, let the worker go (now after a large parse, later after small ones). */
  private settled(id: number, pending: Pending): void {
    this.pending.delete(id);
    this.largestPendingBytes = Math.max(this.largestPendingBytes, pending.bytes);
    if (this.pending.size > 0) return;
    this.worker?.unref();
    const large = this.largestPendingBytes >= this.largeParseBytes;
    this.largestPendingBytes = 0;
    if (large) return this.release();
    this.idleTimer = setTimeout(() => this.release(), this.idleReleaseMs);
    this.idleTimer.unref();
  }

  private cancelIdleRelease(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private release(): void {
    this.cancelIdleRelease();
    const worker = this.worker;
    if (worker === undefined || this.pending.size > 0) return;
    this.worker = undefined; // its exit is then not a loss (lost() ignores a worker that is not current)
    void worker.terminate().then(() => this.onRelease?.());
  }

  /** The worker died (out of memory, a bug): fail what it had, and start a fresh one on the next parse. */
  private lost(worker: Worker, err: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.failAll(new ClusterDnsError(ErrorCodes.MANIFEST_PARSE, `the manifest could not be parsed: ${err.message}`));
  }

  /** The parse needed more heap than the limit allows: say which file, how big, and what to raise. */
  private outOfMemory(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const pending of this.pending.values()) {
      pending.reject(heapLimitError(`parsing the manifest ${pending.file} (${Math.round(pending.bytes / 1024 / 1024)} MB)`, null));
    }
    this.pending.clear();
  }

  private failAll(err: Error): void {
    for (const pending of this.pending.values()) pending.reject(err);
    this.pending.clear();
  }
}
