// CoreDNS `hosts`: names from a hosts file (and lines inline in the Corefile) answer A and AAAA, and their
// addresses PTR (plugin/hosts). A name of the zones that is not listed is NXDOMAIN, unless `fallthrough` passes
// it on; a listed name asked for another type is NODATA.
import { ipToReverseName } from '../records/ip-names.js';
import { HeaderFlag } from '../wire/header.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../wire/ip-address.js';
import { normalizeName } from '../wire/name.js';
import { RCode, RRClass, RRType, type ResourceRecord } from '../wire/types.js';
import type { DnsRequest, Handler, HandlerResult } from './handler.js';

/** Plain data (it travels to multi-core workers as it is). */
export interface HostsSettings {
  entries: Array<{ address: string; names: string[] }>;
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

export class HostsHandler implements Handler {
  readonly name = 'hosts';
  private readonly forward = new Map<string, { a: string[]; aaaa: string[] }>();
  private readonly reverse = new Map<string, string[]>();
  private readonly zones: string[];
  private readonly ttl: number;

  constructor(private readonly settings: HostsSettings) {
    this.zones = (settings.zones ?? ['']).map(normalizeName);
    this.ttl = settings.ttl ?? 3600;
    for (const { address, names } of settings.entries) {
      const v4 = parseIPv4(address);
      const v6 = v4 ? null : parseIPv6(address);
      if (!v4 && !v6) continue;
      const canonical = v4 ? formatIPv4(v4) : formatIPv6(v6!);
      for (const raw of names) {
        const name = normalizeName(raw);
        const entry = this.forward.get(name) ?? { a: [], aaaa: [] };
        const list = v4 ? entry.a : entry.aaaa;
        if (!list.includes(canonical)) list.push(canonical);
        this.forward.set(name, entry);
      }
      if (settings.reverse !== false) {
        const owner = ipToReverseName(canonical);
        const targets = this.reverse.get(owner) ?? [];
        for (const raw of names) if (!targets.includes(normalizeName(raw))) targets.push(normalizeName(raw));
        this.reverse.set(owner, targets);
      }
    }
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
