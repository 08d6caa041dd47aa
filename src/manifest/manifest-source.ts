// Manifest files → the cluster store, kept current while the files change on disk.
//
// start() loads every file (rejecting with a ClusterDnsError when one cannot be read or parsed), hands the
// merged objects to store.replaceAll and marks the store synced. Afterwards each file is watched two ways:
// fs.watch on its directory, filtered by basename (editors and `kubectl ... > f` replace files by rename,
// which a watch on the file itself would lose), debounced ~50 ms; and a 1 s fs.stat poll as a fallback for
// file systems where watching is unreliable (network mounts, some containers). A changed file is re-parsed
// and the merge of all files goes through store.replaceAll, the same incremental diff the reflector uses.
// A broken edit keeps that file's last good objects and logs why (file:line).
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import type { ClusterStore } from '../kubernetes/cluster-store.js';
import type { ClusterObject } from '../kubernetes/objects.js';
import { parseManifest } from './load-manifest.js';

export interface ManifestSourceOptions {
  files: string[];
  store: ClusterStore;
  logger: Logger;
  /** Debounce for bursts of watch events (default 50 ms). */
  debounceMs?: number;
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
   * itself: a 100k-service snapshot is ≈ 74 MB of JSON that would otherwise stay on the heap for good.
   */
  digest: string | undefined;
  objects: ClusterObject[];
  /** mtime/size/inode seen last, to notice changes by polling. */
  signature: string | undefined;
  /** The problem of the last attempt, if it failed (logged once; a recovery is logged too). */
  broken: string | undefined;
}

function signatureOf(st: { mtimeMs: number; size: number; ino: number }): string {
  return `${st.mtimeMs}:${st.size}:${st.ino}`;
}

/** Change detection, not security: SHA-1 of the raw bytes is fast (≈ 1 GB/s) and needs no decoding first. */
function digestOf(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('base64');
}

export class ManifestSource {
  private readonly store: ClusterStore;
  private readonly logger: Logger;
  private readonly debounceMs: number;
  private readonly pollMs: number;
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
    this.debounceMs = options.debounceMs ?? 50;
    this.pollMs = options.pollMs ?? 1000;
    this.states = options.files.map((file) => ({
      file,
      path: resolve(file),
      digest: undefined,
      objects: [],
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
      state.objects = parsed.objects;
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
    let changedFiles = 0;
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
        state.digest = digest; // do not re-report the same broken text on every poll
        this.warnBroken(state, err);
        continue;
      }
      state.digest = digest;
      state.objects = parsed.objects;
      if (state.broken !== undefined) this.logger.info({ file: state.file }, 'manifest valid again');
      state.broken = undefined;
      this.logSkipped(state.file, parsed.skippedKinds);
      changedFiles++;
    }
    if (changedFiles === 0 || this.closed) return;
    const started = process.hrtime.bigint();
    const changed = this.store.replaceAll(this.merged());
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    this.logger.info(
      { files: states.map((s) => s.file), ...this.store.counts, changed, ms: Math.round(ms * 100) / 100 },
      'manifest reloaded',
    );
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
