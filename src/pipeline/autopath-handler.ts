// Server-side search-path completion: the CoreDNS `autopath` plugin (plugin/autopath/autopath.go) with
// `autopath @kubernetes` (plugin/kubernetes/autopath.go). Walks the client's search path on its first query and
// answers the first expansion that exists as a CNAME to it; skips when none does (docs/architecture.md
// "Autopath"). Expansions outside the cluster index (zone files, host search domains, the name as given) are
// asked of the rest of the chain when it can answer them. Synchronous while the walk stays in the index, with
// replies compiled once per (qname, qtype) in an LRU emptied on every index change.
import { LRUCache } from 'lru-cache';
import type { RecordIndex } from '../records/record-index.js';
import { compileAnswer } from '../wire/compiled-answer.js';
import { normalizeName } from '../wire/name.js';
import { RCode, RRClass, RRType, type ResourceRecord } from '../wire/types.js';
import { HeaderFlag } from '../wire/header.js';
import type { DnsRequest, Handler, HandlerResult, Resolve } from './handler.js';

export interface AutopathSettings {
  /**
   * Search domains after the pod's own three. CoreDNS appends the search line of its own /etc/resolv.conf
   * (the node's, with dnsPolicy Default); the CLI does the same; default none.
   */
  hostSearch?: string[];
  /** Clients whose IP is no pod's (a test process on 127.0.0.1) search as if from this namespace; default none (as CoreDNS). */
  defaultNamespace?: string;
  /** One search path for every client instead of the pod's (CoreDNS `autopath /path/to/resolv.conf`). */
  search?: string[];
}

export interface AutopathHandlerOptions extends AutopathSettings {
  index: RecordIndex;
  /** Cluster zones, lowercase, no trailing dot. */
  zones: string[];
  isSynced: () => boolean;
  /** TTL of a synthesized CNAME that has no found record to take its TTL from. */
  ttl: number;
  /** The namespace of the pod with this IP, or undefined when no pod has it. */
  namespaceOfPod: (ip: string) => string | undefined;
  /** The rest of the chain, for expansions outside the cluster's index (zone files, forwarding); default none. */
  resolve?: Resolve;
  /** Counts answered walks (published as coredns_autopath_success_total). */
  onSuccess?: () => void;
  /** Compiled replies kept; default 10,000. */
  maxCached?: number;
}

const SKIP: HandlerResult = Object.freeze({ kind: 'skip' });

/** One search-path walk in progress. */
interface Walk {
  request: DnsRequest;
  qname: string;
  qtype: number;
  /** The name the client asked for before its resolver appended the first search domain. */
  base: string;
  search: string[];
  /** False once an expansion was answered by another handler: the result then depends on more than the index. */
  fromIndexOnly: boolean;
}
/** Cached "the walk found nothing": the original question is answered as is. */
const NOTHING_FOUND = Object.freeze({ kind: 'skip' }) as HandlerResult;

export class AutopathHandler implements Handler {
  readonly name = 'autopath';
  /** Cluster zones: the index also holds the reverse zones, where no search path applies. */
  private readonly zones: ReadonlySet<string>;
  private readonly hostSearch: string[];
  private readonly fixedSearch: string[] | null;
  private readonly defaultNamespace: string | undefined;
  /** `<ns>|<zone>` → that namespace's search path, built once (no allocation per query). */
  private readonly paths = new Map<string, string[]>();
  /** `<qtype>/<qname>` → the compiled reply, or NOTHING_FOUND. */
  private readonly cache: LRUCache<string, HandlerResult>;

  constructor(private readonly options: AutopathHandlerOptions) {
    this.zones = new Set(options.zones.map(normalizeName));
    this.hostSearch = (options.hostSearch ?? []).map(normalizeName).filter((domain) => domain !== '');
    this.fixedSearch = options.search === undefined ? null : options.search.map(normalizeName).filter((domain) => domain !== '');
    this.defaultNamespace = options.defaultNamespace?.toLowerCase();
    this.cache = new LRUCache({ max: options.maxCached ?? 10_000 });
    options.index.onChange(() => this.cache.clear());
  }

  handle(request: DnsRequest): HandlerResult | Promise<HandlerResult> {
    if (request.internal) return SKIP; // the chain resolving on someone's behalf: no search path applies
    const { qname, qtype, qclass } = request.query;
    if (qclass !== RRClass.IN) return SKIP; // CoreDNS autopath: ClassINET only
    if (qtype === RRType.AXFR || qtype === RRType.IXFR) return SKIP;
    const zone = this.options.index.findZone(qname);
    if (zone === null || !this.zones.has(zone) || !this.options.isSynced()) return SKIP; // the kubernetes handler answers SERVFAIL until synced
    const search = this.searchPathFor(request.remoteAddress, zone);
    if (search === null || search.length === 0) return SKIP;
    const first = search[0];
    // firstInSearchPath: only a question under the first search domain is the start of this list's walk.
    if (qname.length <= first.length + 1 || !qname.endsWith(first) || qname.charCodeAt(qname.length - first.length - 1) !== 46) return SKIP;

    const key = `${qtype}/${qname}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return this.counted(cached);
    const walk: Walk = { request, qname, qtype, base: qname.slice(0, qname.length - first.length - 1), search, fromIndexOnly: true };
    const result = this.walkFrom(walk, 0);
    if (result instanceof Promise) return result.then((settled) => this.counted(settled));
    // Only walks answered from the index alone are kept: the rest depend on upstream data and TTLs.
    if (walk.fromIndexOnly) this.cache.set(key, result);
    return this.counted(result);
  }

  private counted(result: HandlerResult): HandlerResult {
    if (result !== NOTHING_FOUND) this.options.onSuccess?.();
    return result;
  }

  /**
   * Each expansion of `base` from the i-th search domain on, then `base` itself (CoreDNS's "" sentinel at the
   * end of the path). Expansions in the cluster's index are looked up at once; the others (zone files, host
   * search domains, the name as given) go through the rest of the chain when it can answer them (`resolve`).
   */
  private walkFrom(walk: Walk, start: number): HandlerResult | Promise<HandlerResult> {
    const { index } = this.options;
    const { qname, qtype, base, search } = walk;
    for (let i = start; i <= search.length; i++) {
      const candidate = i < search.length ? `${base}.${search[i]}` : base;
      // The first expansion is the question itself: when it exists, its own answer is the right one.
      if (i === 0) {
        if (index.lookup(candidate, qtype).kind !== 'nxdomain') return NOTHING_FOUND;
        continue;
      }
      if (index.findZone(candidate) === null) {
        const resolve = this.options.resolve;
        if (resolve === undefined || candidate === '') continue;
        walk.fromIndexOnly = false;
        const found = resolve(candidate, qtype, walk.request);
        if (found instanceof Promise) return found.then((settled) => this.foundElsewhere(walk, candidate, settled) ?? this.walkFrom(walk, i + 1));
        const result = this.foundElsewhere(walk, candidate, found);
        if (result !== null) return result;
        continue;
      }
      const found = index.lookup(candidate, qtype);
      if (found.kind === 'notauth' || found.kind === 'nxdomain') continue;
      const additional = found.kind === 'answer' ? found.additional : [];
      const external = this.options.resolve !== undefined ? index.externalCnameTarget(found.answer) : null;
      if (external !== null) {
        // An ExternalName: the chain completes it (forwarding), so the reply is built as records.
        walk.fromIndexOnly = false;
        const sections = this.aliased(qname, qtype, candidate, found.answer, found.authority, additional);
        return { kind: 'records', rcode: RCode.NOERROR, flags: HeaderFlag.AA, sections, chase: external };
      }
      const sections = this.aliased(qname, qtype, candidate, found.answer, found.authority, additional);
      return { kind: 'answer', answer: compileAnswer(qname, qtype, RRClass.IN, sections, RCode.NOERROR, true) };
    }
    return NOTHING_FOUND;
  }

  /** The walk's outcome for a candidate another handler answered, or null to go on to the next candidate. */
  private foundElsewhere(walk: Walk, candidate: string, found: HandlerResult): HandlerResult | null {
    // NXDOMAIN (or nobody serving the name) sends the walk on, as CoreDNS autopath does; a failure ends it and
    // leaves the client to walk on its own.
    if (found.kind === 'skip' || (found.kind === 'records' && found.rcode === RCode.NXDOMAIN)) return null;
    if (found.kind !== 'records' || found.rcode !== RCode.NOERROR) return NOTHING_FOUND;
    const { answer, authority, additional } = found.sections;
    return { kind: 'records', rcode: RCode.NOERROR, flags: found.flags, sections: this.aliased(walk.qname, walk.qtype, candidate, answer, authority, additional) };
  }

  /** `qname CNAME candidate` before what the candidate answered (CoreDNS cnamer), or its NODATA. */
  private aliased(
    qname: string,
    qtype: number,
    candidate: string,
    found: readonly ResourceRecord[],
    authority: readonly ResourceRecord[],
    additional: readonly ResourceRecord[],
  ): { answer: ResourceRecord[]; authority: ResourceRecord[]; additional: ResourceRecord[] } {
    const answer: ResourceRecord[] = [];
    if (found.length > 0) {
      answer.push({ name: qname, type: RRType.CNAME, class: RRClass.IN, ttl: found[0].ttl, data: candidate });
      answer.push(...found);
    } else if (qtype === RRType.CNAME) {
      // Asked for the alias itself: the synthesized CNAME is the answer (CoreDNS would say NODATA here,
      // contradicting the CNAME it gives for every other type of the same name).
      answer.push({ name: qname, type: RRType.CNAME, class: RRClass.IN, ttl: this.options.ttl, data: candidate });
    }
    // The SOA goes with an empty answer only (RFC 2308 NODATA).
    return { answer, authority: answer.length > 0 ? [] : [...authority], additional: [...additional] };
  }

  /** `<ns>.svc.<zone> svc.<zone> <zone> <host search…>` for the client's pod (plugin/kubernetes/autopath.go). */
  private searchPathFor(remoteAddress: string, zone: string): string[] | null {
    if (this.fixedSearch !== null) return this.fixedSearch;
    const namespace = this.options.namespaceOfPod(unmapped(remoteAddress)) ?? this.defaultNamespace;
    if (namespace === undefined) return null;
    const key = `${namespace}|${zone}`;
    let path = this.paths.get(key);
    if (path === undefined) {
      path = [`${namespace}.svc.${zone}`, `svc.${zone}`, zone, ...this.hostSearch];
      if (this.paths.size >= 10_000) this.paths.clear(); // bounded by the namespaces, but never unbounded
      this.paths.set(key, path);
    }
    return path;
  }

}

/** `::ffff:10.244.1.10` (an IPv4 client of a dual-stack socket) → `10.244.1.10`. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
