// Manifest files → a ClusterSink, kept current while the files change on disk: loaded and merged on start,
// then watched (fs.watch on the directory plus a stat poll); a changed file is diffed against its own previous
// objects only; a broken edit keeps its last good objects and logs file:line, an emptied file keeps them too
// and warns until it has objects again (docs/architecture.md "The manifest path"). Parsing happens where the
// `parser` says (a worker thread for the CLI); what runs here is applied in time slices, so a big snapshot's
// load or reload never holds up the queries.
import { ReloadQueue } from '../runtime/reload-queue.js';
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import type { ClusterSink } from '../cluster/cluster-sink.js';
import { isDeepStrictEqual } from 'node:util';
import { objectKey } from '../cluster/object-diff.js';
import type { ClusterEvent, ClusterObject } from '../cluster/objects.js';
import type { TrimOptions } from '../cluster/trim.js';
import { digestInSlices, digestOf, digestOfFailure, inThreadManifestParser, type ManifestParser, type ParseOutcome } from './manifest-parser.js';
import { manifestReadError, parseJsonListInSlices, startsAsJsonObject } from './load-manifest.js';
import { TimeSlicer, inSlices } from '../runtime/time-slicer.js';
import { HeapProjection, checkManifestFits, fitsServingThreadParse } from '../runtime/heap-budget.js';

export interface ManifestSourceOptions {
  files: string[];
  store: ClusterSink;
  logger: Logger;
  /** Debounce for bursts of watch events (default 10 ms). */
  debounceMs?: number;
  /** How long a file that does not parse is given to finish being written before that is reported (default 250 ms). */
  settleMs?: number;
  /** fs.stat poll interval, the fallback for missed watch events (default 1000 ms). */
  pollMs?: number;
  /** Where bytes become objects (default: on this thread; the CLI uses a worker thread). Closed by close(). */
  parser?: ManifestParser;
  /** While a file that had objects has none, the warning is repeated this often (default 60 s). */
  emptyWarnIntervalMs?: number;
  /** What trimmed objects keep beyond the default (the Pod names of endpoints). */
  trim?: TrimOptions;
}

interface FileState {
  /** As the user gave it: used in messages. */
  file: string;
  /** Absolute: used for I/O and watch matching. */
  path: string;
  /**
   * SHA-256 of the bytes last parsed (good or broken), to skip re-parsing an unchanged file. Not the text
   * itself: a large snapshot's text would otherwise stay on the heap for good.
   */
  digest: string | undefined;
  objects: ClusterObject[];
  /**
   * objectKey → object, the file's own view (a later item with the same key wins, as in the merge); built on
   * the first reload that needs it (a cost start-up need not pay).
   */
  byKey: Map<string, ClusterObject> | undefined;
  /** A parse failure is being given `settleMs` to turn out to be a write in progress. */
  settling: boolean;
  /** mtime/size/inode seen last, to notice changes by polling. */
  signature: string | undefined;
  /** The problem of the last attempt, if it failed (logged once; a recovery is logged too). */
  broken: string | undefined;
  /** Set while the file has no objects after having had some: repeats the warning until it has. */
  emptyTimer: NodeJS.Timeout | undefined;
}

function keyed(state: FileState): Map<string, ClusterObject> {
  return (state.byKey ??= new Map(state.objects.map((object) => [objectKey(object), object])));
}

/** keyed(), built in time slices (a snapshot's tens of thousands of keys are tens of milliseconds). */
async function keyedInSlices(state: FileState, slicer: TimeSlicer): Promise<Map<string, ClusterObject>> {
  if (state.byKey) return state.byKey;
  const objects = state.objects;
  const byKey = new Map<string, ClusterObject>();
  for (let i = 0; i < objects.length; i++) {
    byKey.set(objectKey(objects[i]), objects[i]);
    if (i % APPLY_BATCH === 0) await slicer.pause();
  }
  if (state.objects === objects) state.byKey = byKey;
  return byKey;
}

function signatureOf(st: { mtimeMs: number; size: number; ino: number }): string {
  return `${st.mtimeMs}:${st.size}:${st.ino}`;
}

/** Events applied to the store per call between checks of the time slice. */
const APPLY_BATCH = 200;
/** A reload of a JSON List smaller than this is parsed on the serving thread (parseHere). */
const RELOAD_HERE_BELOW_BYTES = 1 << 20;

export class ManifestSource {
  private readonly store: ClusterSink;
  private readonly logger: Logger;
  private readonly settleMs: number;
  private readonly pollMs: number;
  private readonly parser: ManifestParser;
  private readonly trim: TrimOptions | undefined;
  private readonly emptyWarnIntervalMs: number;
  private readonly settleTimers = new Set<NodeJS.Timeout>();
  private readonly states: FileState[];
  private readonly watchers: FSWatcher[] = [];
  private readonly reloads: ReloadQueue<FileState>;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private started = false;
  private closed = false;

  constructor(options: ManifestSourceOptions) {
    if (options.files.length === 0) throw new Error('ManifestSource needs at least one file');
    this.store = options.store;
    this.logger = options.logger;
    this.reloads = new ReloadQueue(
      options.debounceMs ?? 10,
      (states) => this.reload(states),
      (err) => this.logger.error({ err }, 'manifest reload failed unexpectedly'),
    );
    this.settleMs = options.settleMs ?? 250;
    this.pollMs = options.pollMs ?? 1000;
    this.parser = options.parser ?? inThreadManifestParser;
    this.trim = options.trim;
    this.emptyWarnIntervalMs = options.emptyWarnIntervalMs ?? 60_000;
    this.states = options.files.map((file) => ({
      file,
      path: resolve(file),
      digest: undefined,
      objects: [],
      byKey: undefined,
      settling: false,
      signature: undefined,
      broken: undefined,
      emptyTimer: undefined,
    }));
  }

  /** Initial load of every file; rejects with a ClusterDnsError (MANIFEST_*) on the first bad one. */
  async start(): Promise<void> {
    if (this.started) throw new Error('ManifestSource already started');
    this.started = true;
    for (const state of this.states) {
      const { outcome, signature } = await this.firstParse(state);
      if (this.closed) return;
      if (outcome.unchanged) continue; // not with no digest known
      state.digest = outcome.digest;
      state.signature = signature;
      this.setObjects(state, outcome.parsed.objects);
      this.logSkipped(state.file, outcome.parsed.skippedKinds);
      if (outcome.parsed.objects.length === 0) {
        this.logger.warn({ file: state.file }, 'manifest is empty: it holds no Namespace, Service, EndpointSlice or Pod, so it adds no names');
      }
    }
    if (this.closed) return;
    // The store is empty before the first load, so upserting every object (a later one with the same key
    // winning, as in the merge) is the replaceAll, done in slices.
    let changed = 0;
    const merged = this.merged();
    const heap = new HeapProjection(`the manifest ${this.states.map((s) => s.file).join(', ')}`, merged.length);
    let applied = 0;
    await inSlices(merged, APPLY_BATCH, (objects) => {
      if (this.closed) return;
      changed += this.store.apply(objects.map((object) => ({ type: 'upsert', object })));
      applied += objects.length;
      heap.check(applied);
    });
    if (this.closed) return;
    this.store.markSynced();
    this.logger.info({ files: this.states.map((s) => s.file), ...this.store.counts, changed }, 'manifest loaded');
    this.watch();
  }

  /**
   * Read and parse a file for the first load. A function of its own so that the file's bytes are unreachable
   * once it returns: the post-load GC (onInitialLoad) must find them garbage.
   */
  private async firstParse(state: FileState): Promise<{ outcome: ParseOutcome; signature: string }> {
    const { bytes, signature } = await this.read(state);
    checkManifestFits(state.file, bytes.byteLength);
    return { outcome: await this.parse(state, bytes, true), signature };
  }

  /** The file's bytes parsed here (parseHere) or by `parser`; `unchanged` when they hash to its digest. */
  private async parse(state: FileState, bytes: Buffer, firstLoad: boolean): Promise<ParseOutcome> {
    const wanted = firstLoad || bytes.byteLength < RELOAD_HERE_BELOW_BYTES;
    const here = wanted && fitsServingThreadParse(bytes.byteLength) ? await this.parseHere(bytes, state.digest) : undefined;
    return here ?? this.parser.parse(bytes, state.file, state.digest, this.trim);
  }

  /**
   * A JSON List (`kubectl get -o json`) is parsed on this thread in time slices rather than by `parser` on its
   * first load, and on a reload when it is small (RELOAD_HERE_BELOW_BYTES). Before the first load nothing is
   * answered from the cluster, and handing the objects over from the parse worker (JSON text there, parsed
   * again here) costs about as much CPU as parsing them, which on one core all adds to the time to the first
   * answer; a small reload takes a few slices here, where the worker, once let go, would first have to start.
   * YAML, JSON the fast path does not take (and so every error, reported with its line) and big reloads (the
   * worker's own core, where there is one) go to `parser`, and so does a file too big for this thread's heap
   * to parse safely (fitsServingThreadParse): out of heap, the worker fails with HEAP_LIMIT where this thread
   * dies. Undefined for those; `unchanged` when the bytes hash to `knownDigest`.
   */
  private async parseHere(bytes: Buffer, knownDigest: string | undefined): Promise<ParseOutcome | undefined> {
    if (!startsAsJsonObject(bytes)) return undefined;
    const slicer = new TimeSlicer();
    const digest = await digestInSlices(bytes, slicer);
    if (digest === knownDigest) return { unchanged: true, digest };
    const parsed = await parseJsonListInSlices(bytes, this.trim, slicer);
    return parsed === undefined ? undefined : { unchanged: false, digest, parsed };
  }

  /**
   * Stop every watcher and timer and end a reload in flight; no handle stays open. A parse in flight is
   * abandoned, not awaited: the general YAML path takes seconds per ten megabytes, longer than a pod's grace period.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pollTimer);
    for (const timer of this.settleTimers) clearTimeout(timer);
    this.settleTimers.clear();
    for (const state of this.states) this.clearEmpty(state);
    this.pollTimer = undefined;
    for (const watcher of this.watchers.splice(0)) watcher.close();
    const reloadsDone = this.reloads.close();
    // Closing the parser rejects the parse the reload waits for, which then sees `closed` and returns.
    await this.parser.close();
    await reloadsDone;
  }

  // -------------------------------------------------------------------------------------------- watching

  private watch(): void {
    const byDirectory = new Map<string, FileState[]>();
    for (const state of this.states) {
      const dir = dirname(state.path);
      byDirectory.set(dir, [...(byDirectory.get(dir) ?? []), state]);
    }
    for (const [dir, states] of byDirectory) {
      try {
        const watcher = watch(dir, { persistent: true }, (_event, filename) => {
          const name = filename === null ? null : filename.toString();
          for (const state of states) if (name === null || name === basename(state.path)) this.schedule(state);
        });
        watcher.on('error', (err) => {
          this.logger.warn({ dir, err: err.message }, 'manifest directory watch failed; polling only');
          watcher.close();
        });
        this.watchers.push(watcher);
      } catch (err) {
        this.logger.warn({ dir, err: (err as Error).message }, 'cannot watch the manifest directory; polling only');
      }
    }
    this.pollTimer = setInterval(() => void this.poll(), this.pollMs);
  }

  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      for (const state of this.states) {
        let signature: string;
        try {
          signature = signatureOf(await stat(state.path));
        } catch {
          continue; // gone for now (mid rename, or deleted): keep serving its last data
        }
        if (signature !== state.signature && !this.closed) this.schedule(state);
      }
    } finally {
      this.polling = false;
    }
  }

  private schedule(state: FileState): void {
    this.reloads.schedule(state);
  }

  private async reload(states: FileState[]): Promise<void> {
    const slicer = new TimeSlicer();
    const before = new Map<FileState, Map<string, ClusterObject>>();
    for (const state of states) {
      let bytes: Buffer;
      let signature: string;
      try {
        ({ bytes, signature } = await this.read(state));
      } catch (err) {
        // Deleted or unreadable: keep serving the last good data (logged once per distinct problem). An
        // editor's rename dance can land here for an instant; the watch/poll brings the new file in.
        this.warnBroken(state, err);
        continue;
      }
      if (this.closed) return;
      state.signature = signature;
      this.logger.debug({ file: state.file, bytes: bytes.byteLength }, 'manifest changed; parsing');
      let outcome;
      try {
        // A file grown past what the heap can parse is reported like a broken one: the last good data stays.
        checkManifestFits(state.file, bytes.byteLength);
        outcome = await this.parse(state, bytes, false);
      } catch (err) {
        if (this.closed) return;
        if (!state.settling) {
          // Perhaps caught mid-write (`kubectl get … > file` truncates first): look once more when the writer
          // has had time to finish, and report only if the same bytes still do not parse.
          state.settling = true;
          this.settleLater(state);
          this.logger.debug({ file: state.file, settleMs: this.settleMs }, 'manifest does not parse yet; looking again once the writer is done');
          continue;
        }
        state.settling = false;
        // Do not re-report the same broken text on every poll. The parser may have taken the bytes (a
        // transferred buffer is empty now): the digest it attached is the one to keep.
        state.digest = digestOfFailure(err) ?? (bytes.byteLength > 0 ? digestOf(bytes) : state.digest);
        this.warnBroken(state, err);
        continue;
      }
      if (this.closed) return;
      if (outcome.unchanged) {
        this.logger.debug({ file: state.file }, 'manifest unchanged');
        continue;
      }
      const { parsed, digest } = outcome;
      if (parsed.objects.length === 0 && state.objects.length > 0) {
        // Emptied: most often a failed `kubectl get … > file` or an editor's truncation, not a cluster
        // that lost every object. Give a write in progress time to finish, then keep the last good data.
        if (!state.settling) {
          state.settling = true;
          this.settleLater(state);
          continue;
        }
        state.settling = false;
        state.digest = digest;
        this.warnEmpty(state);
        continue;
      }
      state.settling = false;
      state.digest = digest;
      if (state.emptyTimer !== undefined) {
        this.clearEmpty(state);
        this.logger.info({ file: state.file, objects: parsed.objects.length }, 'manifest has objects again');
      }
      before.set(state, await keyedInSlices(state, slicer));
      if (this.closed) return;
      this.setObjects(state, parsed.objects);
      if (state.broken !== undefined) this.logger.info({ file: state.file }, 'manifest valid again');
      state.broken = undefined;
      this.logSkipped(state.file, parsed.skippedKinds);
    }
    if (before.size === 0 || this.closed) return;
    const started = process.hrtime.bigint();
    const events = await this.eventsFor(before, slicer);
    let changed = 0;
    await inSlices(events, APPLY_BATCH, (batch) => {
      if (!this.closed) changed += this.store.apply(batch);
    }, slicer);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    this.logger.info(
      { files: [...before.keys()].map((s) => s.file), ...this.store.counts, changed, ms: Math.round(ms * 100) / 100 },
      'manifest reloaded',
    );
  }

  /**
   * The events that take the store from the merge of the files as they were (`before` for the reloaded ones)
   * to the merge as they are now, looking only at the keys the reloaded files held or hold.
   */
  private async eventsFor(before: Map<FileState, Map<string, ClusterObject>>, slicer: TimeSlicer): Promise<ClusterEvent[]> {
    const keys = new Set<string>();
    for (const [state, previous] of before) {
      const current = await keyedInSlices(state, slicer);
      let compared = 0;
      for (const [k, old] of previous) {
        const now = current.get(k);
        if (now === undefined || !isDeepStrictEqual(old, now)) keys.add(k);
        if (++compared % APPLY_BATCH === 0) await slicer.pause();
      }
      for (const k of current.keys()) if (!previous.has(k)) keys.add(k);
    }
    const events: ClusterEvent[] = [];
    for (const k of keys) {
      if (events.length % APPLY_BATCH === 0) await slicer.pause();
      const was = this.winner(k, before);
      const is = this.winner(k);
      if (is !== undefined) {
        if (was === undefined || !isDeepStrictEqual(was, is)) events.push({ type: 'upsert', object: is });
      } else if (was !== undefined) {
        events.push({ type: 'delete', kind: was.kind, namespace: was.kind === 'Namespace' ? '' : was.namespace, name: was.name });
      }
    }
    return events;
  }

  /** The object the merge holds for `k`: the last file's that has it (with `instead` standing in for some files). */
  private winner(k: string, instead?: Map<FileState, Map<string, ClusterObject>>): ClusterObject | undefined {
    for (let i = this.states.length - 1; i >= 0; i--) {
      const state = this.states[i];
      const object = (instead?.get(state) ?? keyed(state)).get(k);
      if (object !== undefined) return object;
    }
    return undefined;
  }

  private setObjects(state: FileState, objects: ClusterObject[]): void {
    state.objects = objects;
    state.byKey = undefined;
  }

  private settleLater(state: FileState): void {
    const timer = setTimeout(() => {
      this.settleTimers.delete(timer);
      state.digest = undefined; // re-parse even when the bytes did not change: that is the confirmation
      this.schedule(state);
    }, this.settleMs);
    this.settleTimers.add(timer);
  }

  // -------------------------------------------------------------------------------------------- helpers

  private async read(state: FileState): Promise<{ bytes: Buffer; signature: string }> {
    try {
      // stat first: if the file changes between the two calls the poll sees a newer signature and rereads.
      const signature = signatureOf(await stat(state.path));
      const bytes = await readFile(state.path);
      return { bytes, signature };
    } catch (err) {
      throw manifestReadError(err, state.file);
    }
  }

  private merged(): ClusterObject[] {
    return this.states.flatMap((state) => state.objects);
  }

  /** Warn now and every emptyWarnIntervalMs until the file has objects again (clearEmpty). */
  private warnEmpty(state: FileState): void {
    if (state.emptyTimer !== undefined) return;
    const warn = () =>
      this.logger.warn(
        { file: state.file, objects: state.objects.length },
        'manifest has no objects; still serving its last good data until it has some again',
      );
    warn();
    state.emptyTimer = setInterval(warn, this.emptyWarnIntervalMs);
    state.emptyTimer.unref();
  }

  private clearEmpty(state: FileState): void {
    clearInterval(state.emptyTimer);
    state.emptyTimer = undefined;
  }

  private warnBroken(state: FileState, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if (state.broken === message) return;
    state.broken = message;
    const code = err instanceof ClusterDnsError ? err.code : undefined;
    this.logger.warn(
      { file: state.file, code, err: message },
      'manifest change not applied; still serving its last good data',
    );
  }

  private logSkipped(file: string, skipped: Map<string, number>): void {
    if (skipped.size === 0) return;
    this.logger.info({ file, kinds: Object.fromEntries(skipped) }, 'ignoring objects of kinds clusterdns does not read');
  }
}
