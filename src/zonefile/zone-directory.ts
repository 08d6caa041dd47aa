// `--zones DIR`: every `*.db` file in DIR is a zone (its origin is the first $ORIGIN the file sets before a
// record, else the file name without `.db`), served until the file changes, and then reloaded.
//
// - Loading parses in slices that yield (zone-file-parser.ts), so a large zone never stalls the server.
// - At start a file that does not load rejects loadZoneDirectory with its ClusterDnsError (file:line:column).
// - While serving, fs.watch on DIR (and on each $INCLUDEd file elsewhere below DIR), plus a stat poll as a
//   fallback, schedule a reload debounced from the first event of a burst. A file that does not parse is given
//   `settleMs` to finish being written and is then reported once per distinct error; the zone it served
//   keeps serving. A deleted file stops serving its zone.
import { ReloadQueue } from '../runtime/reload-queue.js';
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import type { SoaData } from '../wire/types.js';
import { parseZoneFile } from './zone-file-parser.js';
import { canonicalName, parentName } from './zone-names.js';
import type { Zone } from './zone.js';

export interface ZoneDirectoryOptions {
  logger: Logger;
  /** Watch for changes (default true). */
  watch?: boolean;
  /** Debounce for a burst of watch events (default 50 ms). */
  debounceMs?: number;
  /** How long a file that does not parse gets to finish being written before the error is reported (default 250 ms). */
  settleMs?: number;
  /** stat poll interval, the fallback for missed watch events (default 1000 ms). */
  pollMs?: number;
}

/** What one reload did; `loaded` and `removed` changed what is served. */
export interface ZoneReloadEvent {
  file: string;
  outcome: 'loaded' | 'removed' | 'failed';
  /** The origin served before and after (null when none). */
  previousOrigin: string | null;
  origin: string | null;
  error?: ClusterDnsError;
}

interface ZoneFileState {
  file: string;
  zone: Zone | null;
  signature: string;
  /** The last error reported for this file, so each distinct one is logged once. */
  reportedError: string | null;
}

/** Zone files; dotfiles (editor locks and swap files) are not. */
const ZONE_FILE = /^[^.].*\.db$/;

export class ZoneDirectory extends EventEmitter {
  /** Completed reloads, successful or not (tests await them). */
  reloads = 0;
  private readonly states = new Map<string, ZoneFileState>();
  private readonly byOrigin = new Map<string, Zone>();
  private readonly changeListeners = new Set<(origins: readonly string[]) => void>();
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly reloadQueue: ReloadQueue<string>;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private closed = false;
  private readonly settleMs: number;
  private readonly pollMs: number;
  private readonly logger: Logger;

  /** Use loadZoneDirectory. */
  constructor(
    readonly dir: string,
    options: ZoneDirectoryOptions,
  ) {
    super();
    this.logger = options.logger;
    this.reloadQueue = new ReloadQueue(
      options.debounceMs ?? 50,
      async (files) => {
        for (const file of files) if (!this.closed) await this.reload(file);
      },
      (err) => this.logger.error({ err }, 'zone reload failed unexpectedly'),
      () => this.watchIncludes(),
    );
    this.settleMs = options.settleMs ?? 250;
    this.pollMs = options.pollMs ?? 1000;
  }

  /** The zone with the longest origin that `qname` (lowercase, no trailing dot) is in, or null. */
  findZone(qname: string): Zone | null {
    if (this.byOrigin.size === 0) return null;
    for (let at: string | null = qname; at !== null; at = parentName(at)) {
      const zone = this.byOrigin.get(at);
      if (zone !== undefined) return zone;
    }
    return null;
  }

  /** Every zone served now. */
  get zones(): Zone[] {
    return [...this.byOrigin.values()];
  }

  /** Called with the origins whose data changed (a zone loaded, replaced or removed); returns an unsubscribe. */
  onChange(listener: (origins: readonly string[]) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** The next reload's outcome. */
  nextReload(): Promise<ZoneReloadEvent> {
    return new Promise((done) => this.once('reload', done));
  }

  /** Stops watching and waits for a reload in flight; no handle stays open. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pollTimer);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    await this.reloadQueue.close();
  }

  /** @internal Initial load: every zone file or the first error. */
  async start(watchFiles: boolean): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      throw new ClusterDnsError(ErrorCodes.ZONE_READ, `cannot read the zones directory: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
        location: { file: this.dir },
        cause: err,
      });
    }
    for (const name of names.filter((n) => ZONE_FILE.test(n)).sort()) {
      const file = join(this.dir, name);
      if ((await signatureOf(file)) === null) continue; // vanished between readdir and stat
      const zone = await parseZoneFile(file, { zonesDir: this.dir, defaultOrigin: originFromFileName(name, file) });
      const signature = (await zoneSignature(zone.files)) ?? '';
      const taken = this.byOrigin.get(zone.origin);
      if (taken !== undefined) throw duplicateOrigin(zone, taken, file);
      this.states.set(file, { file, zone, signature, reportedError: null });
      this.byOrigin.set(zone.origin, zone);
      this.logger.info({ file, zone: zone.origin || '.', serial: (zone.soa.data as SoaData).serial, names: zone.size }, 'zone loaded');
    }
    if (watchFiles) this.watch();
  }

  // -------------------------------------------------------------------------------------------- watching

  private watch(): void {
    this.watchDirectory(this.dir, (name) => {
      if (name === null) for (const file of this.states.keys()) this.schedule(file);
      else if (ZONE_FILE.test(name)) this.schedule(join(this.dir, name));
      else this.scheduleIncluding(join(this.dir, name));
    });
    this.watchIncludes();
    this.pollTimer = setInterval(() => void this.poll(), this.pollMs);
    this.pollTimer.unref();
  }

  /** Included files in subdirectories: their directories are watched too (a rename replaces the file). */
  private watchIncludes(): void {
    for (const state of this.states.values()) {
      for (const file of state.zone?.files ?? []) {
        const dir = dirname(file);
        if (dir !== this.dir && !this.watchers.has(dir)) {
          this.watchDirectory(dir, (name) => (name === null ? this.scheduleAll() : this.scheduleIncluding(join(dir, name))));
        }
      }
    }
  }

  private watchDirectory(dir: string, onName: (name: string | null) => void): void {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, filename) => onName(filename === null ? null : filename.toString()));
      watcher.on('error', (err) => {
        this.logger.warn({ dir, err: err.message }, 'zones directory watch failed; polling only');
        watcher.close();
        this.watchers.delete(dir);
      });
      this.watchers.set(dir, watcher);
    } catch (err) {
      this.logger.warn({ dir, err: (err as Error).message }, 'cannot watch the zones directory; polling only');
    }
  }

  private scheduleAll(): void {
    for (const file of this.states.keys()) this.schedule(file);
  }

  private scheduleIncluding(included: string): void {
    for (const state of this.states.values()) if (state.zone?.files.includes(included)) this.schedule(state.file);
  }

  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      let names: string[] = [];
      try {
        names = (await readdir(this.dir)).filter((n) => ZONE_FILE.test(n));
      } catch {
        return;
      }
      const files = new Set([...names.map((n) => join(this.dir, n)), ...this.states.keys()]);
      for (const file of files) {
        const state = this.states.get(file);
        const signature = await zoneSignature(state?.zone?.files ?? [file]);
        if (signature !== (state?.signature ?? null) && !this.closed) this.schedule(file);
      }
    } finally {
      this.polling = false;
    }
  }

  private schedule(file: string): void {
    this.reloadQueue.schedule(file);
  }

  private async reload(file: string): Promise<void> {
    const state = this.states.get(file) ?? { file, zone: null, signature: '', reportedError: null };
    const previousOrigin = state.zone?.origin ?? null;
    const signature = await signatureOf(file);
    if (signature === null) {
      this.states.delete(file);
      if (state.zone !== null) {
        this.byOrigin.delete(state.zone.origin);
        this.logger.info({ file, zone: state.zone.origin || '.' }, 'zone file removed; its zone is no longer served');
        this.changed([state.zone.origin]);
      }
      this.report({ file, outcome: 'removed', previousOrigin, origin: null });
      return;
    }
    let zone: Zone;
    try {
      zone = await this.parse(file);
    } catch (err) {
      const error = err instanceof ClusterDnsError ? err : new ClusterDnsError(ErrorCodes.ZONE_READ, String(err), { location: { file } });
      state.signature = (await zoneSignature(state.zone?.files ?? [file])) ?? '';
      if (!this.states.has(file)) this.states.set(file, state);
      if (state.reportedError !== error.message) {
        state.reportedError = error.message;
        this.logger.error(
          { file, code: error.code, zone: previousOrigin, err: error.message },
          previousOrigin === null ? 'zone file does not load; it is not served' : 'zone file does not load; the previous zone keeps serving',
        );
      }
      this.report({ file, outcome: 'failed', previousOrigin, origin: previousOrigin, error });
      return;
    }
    if (previousOrigin !== null) this.byOrigin.delete(previousOrigin);
    state.zone = zone;
    state.reportedError = null;
    state.signature = (await zoneSignature(zone.files)) ?? '';
    this.states.set(file, state);
    this.byOrigin.set(zone.origin, zone);
    this.logger.info({ file, zone: zone.origin || '.', serial: (zone.soa.data as SoaData).serial, names: zone.size }, 'zone reloaded');
    this.changed(previousOrigin === null || previousOrigin === zone.origin ? [zone.origin] : [previousOrigin, zone.origin]);
    this.report({ file, outcome: 'loaded', previousOrigin, origin: zone.origin });
  }

  /**
   * Parses a file; one that fails is read again after `settleMs` (it may have been caught mid-write), and a
   * zone whose origin another file already serves is refused.
   */
  private async parse(file: string): Promise<Zone> {
    const options = { zonesDir: this.dir, defaultOrigin: originFromFileName(basename(file), file) };
    let zone: Zone;
    try {
      zone = await parseZoneFile(file, options);
    } catch {
      await new Promise((done) => setTimeout(done, this.settleMs));
      zone = await parseZoneFile(file, options);
    }
    const taken = this.byOrigin.get(zone.origin);
    if (taken !== undefined && taken.files[0] !== file) throw duplicateOrigin(zone, taken, file);
    return zone;
  }

  private changed(origins: readonly string[]): void {
    for (const listener of this.changeListeners) listener(origins);
  }

  private report(event: ZoneReloadEvent): void {
    this.reloads++;
    this.emit('reload', event);
  }
}

/** Loads every `*.db` file of `dir`; rejects with the first file's ClusterDnsError (file:line:column). */
export async function loadZoneDirectory(dir: string, options: ZoneDirectoryOptions): Promise<ZoneDirectory> {
  // Paths compare as the parser resolves includes: through symbolic links.
  const real = await realpath(dir).catch(() => resolve(dir));
  const directory = new ZoneDirectory(real, options);
  await directory.start(options.watch ?? true);
  return directory;
}

/** `example.internal.db` → `example.internal`. */
function originFromFileName(name: string, file: string): string {
  const origin = name.slice(0, -'.db'.length);
  try {
    return canonicalName(origin, true);
  } catch (err) {
    throw new ClusterDnsError(ErrorCodes.ZONE_DATA, `the file name does not make a zone origin: ${(err as Error).message}`, { location: { file } });
  }
}

function duplicateOrigin(zone: Zone, taken: Zone, file: string): ClusterDnsError {
  return new ClusterDnsError(ErrorCodes.ZONE_DATA, `zone ${zone.origin || '.'} is already served from ${taken.files[0]}`, { location: { file } });
}

async function signatureOf(file: string): Promise<string | null> {
  try {
    const info = await stat(file);
    return `${info.mtimeMs} ${info.size} ${info.ino}`;
  } catch {
    return null;
  }
}

/** A zone's files' signatures together: an edit to an included file reloads the zone. */
async function zoneSignature(files: readonly string[]): Promise<string | null> {
  const parts: string[] = [];
  for (const file of files) {
    const signature = await signatureOf(file);
    if (signature === null && file === files[0]) return null;
    parts.push(signature ?? '-');
  }
  return parts.join('|');
}
