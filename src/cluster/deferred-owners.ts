// Services and Pods of the initial load whose records are not in the record index yet: they are published
// when a name they would answer is first asked (docs/architecture.md "Owners published when first asked").
// Building every record of a large snapshot before the first answer was most of the start and of the heap
// (docs/benchmarks.md, stop 17); a server asked for a few thousand of those names needs only those (as
// CoreDNS answers from its informer objects, with no record index at all).
//
// Exactness rests on one rule: before the index reads a name (RecordIndex's read hook), every deferred owner
// that would publish at that name, or below it, is published. What an owner publishes follows from the name:
//   <anything>.<svc>.<ns>.svc.<zone>   the Service <ns>/<svc>          (record-builder.ts, qname.ts)
//   <dashed-ip>.<ns>.pod.<zone>        the Pods with that IP
//   <reverse of an IP>                 the Services with that cluster IP or endpoint address
//   a shorter reverse name             the Services with an address under it, until one makes it exist
// Names above these (`<ns>.svc.<zone>`, `svc.<zone>`, the apexes) exist through the Namespace and zone owners,
// which are always published at once.
import { canonicalIp } from './trim.js';
import { KeySets } from './key-sets.js';
import { parseDashedIp } from '../records/ip-names.js';
import { reverseNameToIp } from './reverse-name.js';
import { parseIPv6 } from '../wire/ip-address.js';

/** What publishing a deferred owner needs of the store and the index. */
export interface DeferredOwnerHost {
  /** Publish the Service `ns/name` now (it has left the deferred set). */
  publishService(key: string): void;
  /** Publish the Pod `ns/name` now (it has left the deferred set). */
  publishPod(key: string): void;
  /** Keys of the Pods with this canonical IP. */
  podsWithIp(ip: string): Iterable<string>;
  /** The addresses the Service `ns/name` has PTRs for when published: its cluster IPs, its slices' endpoints. */
  addressesOf(key: string): Iterable<string>;
  /** True when the index holds `name` (records, or existence), without calling the read hook again. */
  holds(name: string): boolean;
}

/** Services indexed between two asks whether to go on. */
const INDEX_STEP = 64;
const IN_ADDR = '.in-addr.arpa';
const IP6 = '.ip6.arpa';
/** Reverse names known to have no deferred Service address under them; cleared past this many. */
const MAX_EMPTY_PREFIXES = 10_000;

export class DeferredOwners {
  private readonly services = new Set<string>();
  private readonly pods = new Set<string>();
  /**
   * Address → keys of deferred Services that have it (cluster IP or endpoint); may name ones published since.
   * Built after sync a few Services at a time (indexAddresses), off the start; a reverse name asked before it
   * is complete completes it first.
   */
  private readonly serviceIps = new KeySets();
  private indexCursor: Iterator<string> | undefined;
  private addressesIndexed = true;
  private readonly emptyPrefixes = new Set<string>();
  private readonly svcSuffixes: string[];
  private readonly podSuffixes: string[];

  constructor(
    zones: readonly string[],
    private readonly host: DeferredOwnerHost,
  ) {
    this.svcSuffixes = zones.map((zone) => (zone === '' ? '.svc' : `.svc.${zone}`));
    this.podSuffixes = zones.map((zone) => (zone === '' ? '.pod' : `.pod.${zone}`));
  }

  get size(): number {
    return this.services.size + this.pods.size;
  }

  /** Defer the Service `key` (again, when it changed before sync: its addresses are indexed afresh). */
  deferService(key: string): void {
    this.services.add(key);
    this.addressesIndexed = false;
    this.indexCursor = undefined;
    if (this.emptyPrefixes.size > 0) this.emptyPrefixes.clear();
  }

  /**
   * Index the addresses of deferred Services while `more()` says so (asked every few Services); true once every
   * one is indexed. Before sync a Service may be deferred again with other addresses; after sync the set only
   * shrinks, so what is indexed stays a superset of what the deferred Services have.
   */
  indexAddresses(more: () => boolean): boolean {
    if (this.addressesIndexed) return true;
    this.indexCursor ??= this.services.values();
    for (;;) {
      for (let i = 0; i < INDEX_STEP; i++) {
        const next = this.indexCursor.next();
        if (next.done === true) {
          this.indexCursor = undefined;
          this.addressesIndexed = true;
          return true;
        }
        for (const ip of this.host.addressesOf(next.value)) this.serviceIps.add(ip, next.value);
      }
      if (!more()) return false;
    }
  }

  deferPod(key: string): void {
    this.pods.add(key);
  }

  /** Forget a deferred Service (it is gone, or about to be published); true when it was deferred. */
  takeService(key: string): boolean {
    return this.services.delete(key);
  }

  takePod(key: string): boolean {
    return this.pods.delete(key);
  }

  /** Publish every deferred owner that would publish at `name` (lowercase, no trailing dot) or below it. */
  publishFor(name: string): void {
    if (this.services.size > 0) for (const suffix of this.svcSuffixes) if (name.endsWith(suffix)) this.publishServiceFor(name, name.length - suffix.length);
    if (this.pods.size > 0) for (const suffix of this.podSuffixes) if (name.endsWith(suffix)) this.publishPodsFor(name, name.length - suffix.length);
    if (this.services.size > 0 && (name.endsWith(IN_ADDR) || name.endsWith(IP6))) this.publishReverseFor(name);
  }

  /** `name` ends at `end` in `.svc.<zone>`: its last two labels before that are the namespace and the Service. */
  private publishServiceFor(name: string, end: number): void {
    const nsDot = name.lastIndexOf('.', end - 1);
    if (nsDot <= 0) return; // `<ns>.svc.<zone>` or shorter: the Namespace owner's
    const serviceDot = name.lastIndexOf('.', nsDot - 1);
    this.publishService(`${name.slice(nsDot + 1, end)}/${name.slice(serviceDot + 1, nsDot)}`);
  }

  /** `name` ends at `end` in `.pod.<zone>`: `<dashed-ip>.<ns>` before it names the Pods with that IP. */
  private publishPodsFor(name: string, end: number): void {
    const dot = name.indexOf('.');
    if (dot <= 0 || name.indexOf('.', dot + 1) !== end) return;
    const dashed = parseDashedIp(name.slice(0, dot));
    const ip = dashed === null ? null : canonicalIp(dashed);
    if (ip === null) return;
    for (const key of this.host.podsWithIp(ip)) if (this.pods.delete(key)) this.host.publishPod(key);
  }

  private publishReverseFor(name: string): void {
    this.indexAddresses(() => true);
    const ip = reverseNameToIp(name);
    if (ip !== null) {
      for (const key of this.serviceIps.list(ip)) this.publishService(key);
      return;
    }
    // A shorter reverse name exists when an address under it has a PTR (RFC 8020). Publish the Services
    // with an address under it one at a time, until one makes the name exist.
    if (this.emptyPrefixes.has(name) || this.host.holds(name)) return;
    const under = addressPrefixOf(name);
    if (under === null) return;
    for (const ip of this.serviceIps.keys()) {
      if (!under(ip)) continue;
      for (const key of this.serviceIps.list(ip)) {
        this.publishService(key);
        if (this.host.holds(name)) return;
      }
    }
    if (this.emptyPrefixes.size >= MAX_EMPTY_PREFIXES) this.emptyPrefixes.clear();
    this.emptyPrefixes.add(name);
  }

  private publishService(key: string): void {
    if (this.services.delete(key)) this.host.publishService(key);
  }
}

/**
 * For a reverse name shorter than a whole address (`96.10.in-addr.arpa`, a few nibbles of `ip6.arpa`), a test
 * of whether an address (canonical text) lies under it; null when no address can (labels that are not octets
 * or nibbles as PTR owner names write them).
 */
function addressPrefixOf(name: string): ((ip: string) => boolean) | null {
  if (name.endsWith(IN_ADDR)) {
    const labels = name.slice(0, -IN_ADDR.length).split('.');
    if (labels.length >= 4 || !labels.every((l) => /^(?:0|[1-9]\d{0,2})$/.test(l) && Number(l) <= 255)) return null;
    const prefix = `${labels.reverse().join('.')}.`;
    return (ip) => ip.startsWith(prefix);
  }
  const labels = name.slice(0, -IP6.length).split('.');
  if (labels.length >= 32 || !labels.every((l) => /^[0-9a-f]$/.test(l))) return null;
  const prefix = labels.reverse().join('');
  return (ip) => {
    const bytes = ip.includes(':') ? parseIPv6(ip) : null;
    return bytes !== null && Buffer.from(bytes).toString('hex').startsWith(prefix);
  };
}
