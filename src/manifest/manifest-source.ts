// Manifest files → a ClusterSink, kept current while the files change on disk: loaded and merged on start,
// then watched (fs.watch on the directory plus a stat poll); a changed file is diffed against its own previous
// objects only; a broken edit keeps its last good objects and logs file:line (docs/architecture.md "The manifest path").
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import type { ClusterSink } from '../cluster/cluster-sink.js';
import { isDeepStrictEqual } from 'node:util';
import { objectKey } from '../cluster/object-diff.js';
import type { ClusterEvent, ClusterObject } from '../cluster/objects.js';
import { parseManifest } from './load-manifest.js';

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
}

interface FileState {
  /** As the user gave it: used in messages. */
  file: string;
  /** Absolute: used for I/O and watch matching. */
  path: string;
  /**
   * SHA-1 of the bytes last parsed (good or broken), to skip re-parsing an unchanged file. Not the text
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
}

function keyed(state: FileState): Map<string, ClusterObject> {
  return (state.byKey ??= new Map(state.objects.map((object) => [objectKey(object), object])));
}

function signatureOf(st: { mtimeMs: number; size: number; ino: number }): string {
  return `${st.mtimeMs}:${st.size}:${st.ino}`;
}

/** Change detection, not security: SHA-1 of the raw bytes is fast and needs no decoding first. */
function digestOf(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('base64');
}

export class ManifestSource {
  private readonly store: ClusterSink;
  private readonly logger: Logger;
  private readonly debounceMs: number;
  private readonly settleMs: number;
  private readonly pollMs: number;
  private readonly settleTimers = new Set<NodeJS.Timeout>();
  private readonly states: FileState[];
  private readonly watchers: FSWatcher[] = [];
  private readonly pending = new Set<FileState>();
  private debounceTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  /** The reload in flight, so reloads never overlap and close() can wait for it. */
  private running: Promise<void> | undefined;
  private started = false;
  private closed = false;

  constructor(options: ManifestSourceOptions) {
    if (options.files.length === 0) throw new Error('ManifestSource needs at least one file');
    this.store = options.store;
    this.logger = options.logger;
    this.debounceMs = options.debounceMs ?? 10;
    this.settleMs = options.settleMs ?? 250;
    this.pollMs = options.pollMs ?? 1000;
    this.states = options.files.map((file) => ({
      file,
      path: resolve(file),
      digest: undefined,
      objects: [],
      byKey: undefined,
      settling: false,
      signature: undefined,
      broken: undefined,
    }));
  }

  /** Initial load of every file; rejects with a ClusterDnsError (MANIFEST_*) on the first bad one. */
  async start(): Promise<void> {
    if (this.started) throw new Error('ManifestSource already started');
    this.started = true;
    for (const state of this.states) {
      const { bytes, signature } = await this.read(state);
      const parsed = parseManifest(bytes.toString('utf8'), state.file);
      state.digest = digestOf(bytes);
      state.signature = signature;
      this.setObjects(state, parsed.objects);
      this.logSkipped(state.file, parsed.skippedKinds);
    }
    if (this.closed) return;
    const changed = this.store.replaceAll(this.merged());
    this.store.markSynced();
    this.logger.info({ files: this.states.map((s) => s.file), ...this.store.counts, changed }, 'manifest loaded');
    this.watch();
  }

  /** Stop every watcher and timer and wait for a reload in flight; no handle stays open. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.debounceTimer);
    clearInterval(this.pollTimer);
    for (const timer of this.settleTimers) clearTimeout(timer);
    this.settleTimers.clear();
    this.debounceTimer = undefined;
    this.pollTimer = undefined;
    for (const watcher of this.watchers.splice(0)) watcher.close();
    this.pending.clear();
    await this.running;
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

  /**
   * Reload `debounceMs` after the first event of a burst, not after the last: an editor's write + rename
   * lands in one reload, yet a file rewritten every 10 ms is still reloaded every `debounceMs` (restarting
   * the timer on each event would postpone the reload for as long as the writes go on).
   */
  private schedule(state: FileState): void {
    if (this.closed) return;
    this.pending.add(state);
    if (this.debounceTimer !== undefined) return;
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      this.flush();
    }, this.debounceMs);
  }

  /** Run one reload at a time; changes arriving meanwhile are picked up by the next round. */
  private flush(): void {
    if (this.closed || this.running !== undefined || this.pending.size === 0) return;
    const states = [...this.pending];
    this.pending.clear();
    this.running = this.reload(states)
      .catch((err: unknown) => this.logger.error({ err }, 'manifest reload failed unexpectedly'))
      .finally(() => {
        this.running = undefined;
        if (this.pending.size > 0) this.flush();
      });
  }

  private async reload(states: FileState[]): Promise<void> {
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
      const digest = digestOf(bytes);
      if (digest === state.digest) continue;
      let parsed;
      try {
        parsed = parseManifest(bytes.toString('utf8'), state.file);
      } catch (err) {
        if (!state.settling) {
          // Perhaps caught mid-write (`kubectl get … > file` truncates first): look once more when the writer
          // has had time to finish, and report only if the same bytes still do not parse.
          state.settling = true;
          this.settleLater(state);
          continue;
        }
        state.settling = false;
        state.digest = digest; // do not re-report the same broken text on every poll
        this.warnBroken(state, err);
        continue;
      }
      state.settling = false;
      state.digest = digest;
      before.set(state, keyed(state));
      this.setObjects(state, parsed.objects);
      if (state.broken !== undefined) this.logger.info({ file: state.file }, 'manifest valid again');
      state.broken = undefined;
      this.logSkipped(state.file, parsed.skippedKinds);
    }
    if (before.size === 0 || this.closed) return;
    const started = process.hrtime.bigint();
    const changed = this.store.apply(this.eventsFor(before));
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
  private eventsFor(before: Map<FileState, Map<string, ClusterObject>>): ClusterEvent[] {
    const keys = new Set<string>();
    for (const [state, previous] of before) {
      for (const [k, old] of previous) {
        const now = keyed(state).get(k);
        if (now === undefined || !isDeepStrictEqual(old, now)) keys.add(k);
      }
      for (const k of keyed(state).keys()) if (!previous.has(k)) keys.add(k);
    }
    const events: ClusterEvent[] = [];
    for (const k of keys) {
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
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new ClusterDnsError(ErrorCodes.MANIFEST_READ, `cannot read the manifest (${reason})`, {
        location: { file: state.file },
        cause: err,
      });
    }
  }

  private merged(): ClusterObject[] {
    return this.states.flatMap((state) => state.objects);
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
