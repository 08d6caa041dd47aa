// Parses manifests in one worker thread (parse-worker.ts), started on first use and kept for reloads: the
// `yaml` parser takes seconds on a 20,000-Service snapshot, and on the serving thread that would be seconds
// of unanswered queries. The objects come back in chunks, one message each, so taking them in is a series
// of short tasks between which queries are answered (parse-worker-protocol.ts).
import { Worker } from 'node:worker_threads';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import type { ClusterObject } from '../cluster/objects.js';
import type { ManifestParser, ParseOutcome } from './manifest-parser.js';
import type { FromParseWorker, ToParseWorker } from './parse-worker-protocol.js';
import { heapLimitError, isWorkerOutOfMemory } from '../runtime/heap-budget.js';

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

  /** `workerScript`: the path of the built parse-worker.js. */
  constructor(private readonly workerScript: string) {}

  parse(bytes: Uint8Array, file: string, knownDigest: string | undefined): Promise<ParseOutcome> {
    if (this.closed) return Promise.reject(new Error('the manifest parser is closed'));
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    worker.ref(); // a parse in flight keeps the process alive; an idle worker does not
    return new Promise<ParseOutcome>((resolve, reject) => {
      this.pending.set(id, { file, bytes: bytes.byteLength, objects: [], resolve, reject });
      worker.postMessage({ type: 'parse', id, bytes, file, knownDigest } satisfies ToParseWorker);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
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
    if (message.type !== 'objects' && this.pending.size === 1) this.worker?.unref();
    switch (message.type) {
      case 'objects': {
        for (const object of message.objects) pending.objects.push(object);
        // The next slice once the I/O waiting now (queries) has run.
        const worker = this.worker;
        setImmediate(() => {
          if (this.worker === worker && this.pending.has(message.id)) worker?.postMessage({ type: 'more', id: message.id } satisfies ToParseWorker);
        });
        return;
      }
      case 'done':
        this.pending.delete(message.id);
        pending.resolve(
          message.unchanged
            ? { unchanged: true, digest: message.digest }
            : { unchanged: false, digest: message.digest, parsed: { objects: pending.objects, skippedKinds: new Map(message.skippedKinds) } },
        );
        return;
      case 'error':
        this.pending.delete(message.id);
        pending.reject(
          message.code === undefined
            ? new Error(message.message)
            : new ClusterDnsError(message.code, message.message, message.location ? { location: message.location } : {}),
        );
        return;
    }
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
