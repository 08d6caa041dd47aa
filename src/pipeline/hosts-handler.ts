// CoreDNS `hosts`: names from a hosts file (and lines inline in the Corefile) answer A and AAAA, and their
// addresses PTR (plugin/hosts). A name of the zones that is not listed is NXDOMAIN, unless `fallthrough` passes
// it on; a listed name asked for another type is NODATA. With `reload D` the file's mtime and size are polled
// every D (CoreDNS's default 5 s) and the file re-read when they change; a read error keeps the last entries.
import { statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { ipToReverseName } from '../records/ip-names.js';
import { HeaderFlag } from '../wire/header.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../wire/ip-address.js';
import { normalizeName } from '../wire/name.js';
import { RCode, RRClass, RRType, type ResourceRecord } from '../wire/types.js';
import type { DnsRequest, Handler, HandlerResult } from './handler.js';

/** Plain data (it travels to multi-core workers as it is). */
export interface HostsSettings {
  /** Inline entries, and the file's as read when the settings were made. */
  entries: Array<{ address: string; names: string[] }>;
  /** The hosts file whose entries `fileEntries` are; polled when `reloadMs` > 0. */
  file?: string;
  /** The file's entries in `entries` (the rest are inline): a reload replaces these. */
  fileEntries?: Array<{ address: string; names: string[] }>;
  /** CoreDNS `reload D`: how often the file's mtime is checked; 0 or absent: never. */
  reloadMs?: number;
  /** Zones answered ('' = every name); default ['']. */
  zones?: string[];
  /** Default 3600, as CoreDNS. */
  ttl?: number;
  /** PTR records for the addresses; default true (CoreDNS `no_reverse` turns them off). */
  reverse?: boolean;
  /** Names not listed go on to the next handler in these zones ([] = all); absent: NXDOMAIN. */
  fallthrough?: string[];
}

const SKIP: HandlerResult = Object.freeze({ kind: 'skip' });

type HostsEntries = HostsSettings['entries'];

export class HostsHandler implements Handler {
  readonly name = 'hosts';
  private forward = new Map<string, { a: string[]; aaaa: string[] }>();
  private reverse = new Map<string, string[]>();
  private readonly zones: string[];
  private readonly ttl: number;
  private readonly inline: HostsEntries;
  private readonly timer: NodeJS.Timeout | null = null;
  /** mtime and size of the file as last read; null when it was never read. */
  private seen: string | null = null;
  private polling = false;
  /** Set after a failed read, so a missing file is logged once, not every poll. */
  private failing = false;
  private readonly logger: Logger | undefined;

  constructor(
    private readonly settings: HostsSettings,
    options: { logger?: Logger } = {},
  ) {
    this.zones = (settings.zones ?? ['']).map(normalizeName);
    this.ttl = settings.ttl ?? 3600;
    this.logger = options.logger;
    const fileEntries = new Set(settings.fileEntries ?? []);
    this.inline = settings.entries.filter((entry) => !fileEntries.has(entry));
    this.index(settings.entries);
    if (settings.file !== undefined && (settings.reloadMs ?? 0) > 0) {
      // The version the entries were read from (at start, not on the serving path): the first poll re-reads only on a change.
      this.seen = settings.fileEntries !== undefined ? fileVersion(settings.file) : null;
      this.timer = setInterval(() => void this.poll(), settings.reloadMs);
      this.timer.unref();
    }
  }

  /** Stops polling the file. */
  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
  }

  /** Re-reads the file when its mtime or size changed; on a read error the entries stay as they are. */
  private async poll(): Promise<void> {
    const file = this.settings.file;
    if (this.polling || file === undefined) return;
    this.polling = true;
    try {
      const info = await stat(file);
      const version = `${info.mtimeMs}:${info.size}`;
      if (version === this.seen) return;
      const text = await readFile(file, 'utf8');
      this.seen = version;
      this.index([...this.inline, ...parseHostsFile(text)]);
      this.failing = false;
      this.logger?.info({ file }, 'hosts file reloaded');
    } catch (err) {
      if (this.failing) return;
      this.failing = true;
      this.logger?.warn({ file, code: (err as NodeJS.ErrnoException).code }, 'hosts file cannot be read: the last entries stay');
    } finally {
      this.polling = false;
    }
  }

  /** Builds the name and address maps from scratch and swaps them in, so a query sees one version or the other. */
  private index(entries: HostsEntries): void {
    const forward = new Map<string, { a: string[]; aaaa: string[] }>();
    const reverse = new Map<string, string[]>();
    for (const { address, names } of entries) {
      const v4 = parseIPv4(address);
      const v6 = v4 ? null : parseIPv6(address);
      if (!v4 && !v6) continue;
      const canonical = v4 ? formatIPv4(v4) : formatIPv6(v6!);
      for (const raw of names) {
        const name = normalizeName(raw);
        const entry = forward.get(name) ?? { a: [], aaaa: [] };
        const list = v4 ? entry.a : entry.aaaa;
        if (!list.includes(canonical)) list.push(canonical);
        forward.set(name, entry);
      }
      if (this.settings.reverse !== false) {
        const owner = ipToReverseName(canonical);
        const targets = reverse.get(owner) ?? [];
        for (const raw of names) if (!targets.includes(normalizeName(raw))) targets.push(normalizeName(raw));
        reverse.set(owner, targets);
      }
    }
    this.forward = forward;
    this.reverse = reverse;
  }

  handle(request: DnsRequest): HandlerResult {
    const { qname, qtype, qclass } = request.query;
    if (qclass !== RRClass.IN || !inZones(qname, this.zones)) return SKIP;
    const ptr = this.reverse.get(qname);
    if (ptr) return this.records(qtype === RRType.PTR ? ptr.map((target) => this.record(qname, RRType.PTR, target)) : []);
    const entry = this.forward.get(qname);
    if (entry) {
      if (qtype === RRType.A) return this.records(entry.a.map((address) => this.record(qname, RRType.A, address)));
      if (qtype === RRType.AAAA) return this.records(entry.aaaa.map((address) => this.record(qname, RRType.AAAA, address)));
      return this.records([]);
    }
    const fallthrough = this.settings.fallthrough;
    if (fallthrough !== undefined && (fallthrough.length === 0 || inZones(qname, fallthrough.map(normalizeName)))) return SKIP;
    // Reverse names of addresses not listed are not this handler's to deny unless they are in its zones.
    return { kind: 'records', rcode: RCode.NXDOMAIN, flags: HeaderFlag.AA, sections: { answer: [], authority: [], additional: [] } };
  }

  private record(name: string, type: typeof RRType.A | typeof RRType.AAAA | typeof RRType.PTR, data: string): ResourceRecord {
    return { name, type, class: RRClass.IN, ttl: this.ttl, data } as ResourceRecord;
  }

  private records(answer: ResourceRecord[]): HandlerResult {
    return { kind: 'records', rcode: RCode.NOERROR, flags: HeaderFlag.AA, sections: { answer, authority: [], additional: [] } };
  }
}

function fileVersion(file: string): string | null {
  try {
    const info = statSync(file);
    return `${info.mtimeMs}:${info.size}`;
  } catch {
    return null;
  }
}

function inZones(qname: string, zones: readonly string[]): boolean {
  return zones.some((zone) => zone === '' || qname === zone || qname.endsWith(`.${zone}`));
}

/** The entries of a hosts file (hosts(5)): `ADDRESS NAME...`, `#` comments; lines that are no address are skipped. */
export function parseHostsFile(text: string): HostsSettings['entries'] {
  const entries: HostsSettings['entries'] = [];
  for (const raw of text.split(/\r?\n/)) {
    const [address, ...names] = raw.replace(/#.*$/, '').trim().split(/\s+/);
    if (!address || names.length === 0) continue;
    if (!parseIPv4(address) && !parseIPv6(address.replace(/%.*$/, ''))) continue;
    entries.push({ address: address.replace(/%.*$/, ''), names });
  }
  return entries;
}
