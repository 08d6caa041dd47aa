// The CoreDNS `kubernetes` plugin as a pipeline handler (model: CoreDNS plugin/kubernetes/handler.go):
// match the zone, refuse zone transfers, answer SERVFAIL until the first full sync (never a false NXDOMAIN),
// synthesize `pods insecure` records, and otherwise replay the compiled answer for (qname, qtype).
//
//   qname in none of the served zones        → skip (the next handler, e.g. forward, may answer)
//   qclass other than IN or ANY               → skip
//   not synced yet                            → SERVFAIL (cluster and reverse zones alike: both hold cluster data)
//   AXFR / IXFR                               → REFUSED (CoreDNS transfers only with the `transfer` plugin)
//   pods insecure, <dashed-ip>.<ns>.pod.<zone> → A/AAAA synthesized per query when <ns> exists
//   anything else                             → the compiled answer for (qname, qtype) from the answer cache
//   an ExternalName whose target another handler serves (forward, file) → the CNAME as records for the chain
//                                               to complete, as CoreDNS's kubernetes plugin asks its upstream
//   an internal request (the chain chasing a CNAME, autopath) → the same lookup as records
//
// Synchronous on purpose: no Promise per packet (docs/architecture.md "The hot path").
import { parseQname } from '../cluster/qname.js';
import type { PodsMode } from '../cluster/objects.js';
import type { AnswerCache } from '../records/answer-cache.js';
import { compileResult } from '../records/answer-cache.js';
import type { RecordIndex } from '../records/record-index.js';
import type { LookupResult } from '../records/types.js';
import { HeaderFlag } from '../wire/header.js';
import type { CompiledAnswer } from '../wire/compiled-answer.js';
import { normalizeName } from '../wire/name.js';
import { RCode, RRClass, RRType, type ResourceRecord } from '../wire/types.js';
import type { DnsRequest, Handler, HandlerResult, RecordsResult } from './handler.js';

export interface KubernetesHandlerOptions {
  index: RecordIndex;
  cache: AnswerCache;
  /** Cluster zones (cluster.local), lowercase, no trailing dot. Pod names are synthesized only here. */
  zones: string[];
  /**
   * Reverse zones answered from the index (in-addr.arpa, ip6.arpa). When given, only `zones` and these are
   * answered and any other zone the index holds is skipped; when absent, every zone of the index is answered.
   */
  reverseZones?: readonly string[];
  isSynced: () => boolean;
  pods: PodsMode;
  /** True when the namespace exists (`pods insecure` answers only in existing namespaces, as CoreDNS). */
  namespaceExists: (namespace: string) => boolean;
  ttl: number;
  /** Another handler can resolve names outside the index (forwarding, zone files): ExternalName targets are chased. */
  chaseExternal?: boolean;
  /**
   * CoreDNS `fallthrough [ZONES]`: an NXDOMAIN for a name in these zones goes on to the next handler instead
   * (kubeadm's Corefile passes unknown PTR names to forward); [] means every zone; absent, off.
   */
  fallthrough?: readonly string[];
}

// Results without per-query data are allocated once (no allocation on the hot path).
const SKIP: HandlerResult = Object.freeze({ kind: 'skip' });
const NOT_SYNCED: HandlerResult = Object.freeze({ kind: 'error', rcode: RCode.SERVFAIL, cause: 'kubernetes: not synced with the cluster yet' });
const TRANSFER_REFUSED: HandlerResult = Object.freeze({ kind: 'error', rcode: RCode.REFUSED });

export class KubernetesHandler implements Handler {
  readonly name = 'kubernetes';
  /** Served zones, or null for every zone of the index. */
  private readonly servedZones: ReadonlySet<string> | null;
  /** cluster zone → `.pod.<zone>`, the suffix every pod name ends with (checked before parsing a name). */
  private readonly podSuffixes = new Map<string, string>();

  constructor(private readonly options: KubernetesHandlerOptions) {
    const zones = options.zones.map(normalizeName);
    for (const zone of zones) this.podSuffixes.set(zone, zone === '' ? '.pod' : `.pod.${zone}`);
    this.servedZones = options.reverseZones === undefined ? null : new Set([...zones, ...options.reverseZones.map(normalizeName)]);
  }

  handle(request: DnsRequest): HandlerResult {
    const { qname, qtype, qclass } = request.query;
    const zone = this.options.index.findZone(qname);
    if (zone === null || (this.servedZones !== null && !this.servedZones.has(zone))) return SKIP;
    if (qclass !== RRClass.IN && qclass !== RRClass.ANY) return SKIP;
    if (!this.options.isSynced()) return NOT_SYNCED;
    if (qtype === RRType.AXFR || qtype === RRType.IXFR) return TRANSFER_REFUSED;
    if (this.options.pods === 'insecure') {
      const suffix = this.podSuffixes.get(zone);
      if (suffix !== undefined && qname.endsWith(suffix)) {
        const synthesized = this.insecurePod(qname, qtype, zone);
        if (synthesized !== null) return request.internal ? recordsOf(synthesized, null) : answerOf(compileResult(qname, qtype, synthesized));
      }
    }
    if (request.internal) return this.records(qname, qtype);
    const answer = this.options.cache.get(qname, qtype);
    if (answer === null) return SKIP;
    if (answer.rcode === RCode.NXDOMAIN && this.fallsThrough(qname)) return SKIP;
    if (answer.chase !== null && this.options.chaseExternal === true) return this.records(qname, qtype);
    return { kind: 'answer', answer };
  }

  private fallsThrough(qname: string): boolean {
    const zones = this.options.fallthrough;
    if (zones === undefined) return false;
    return zones.length === 0 || zones.some((zone) => zone === '' || qname === zone || qname.endsWith(`.${zone}`));
  }

  /** The index's answer as records, with the CNAME target to chase when it leaves the index. */
  private records(qname: string, qtype: number): HandlerResult {
    const result = this.options.index.lookup(qname, qtype);
    if (result.kind === 'notauth' || (result.kind === 'nxdomain' && this.fallsThrough(qname))) return SKIP;
    return recordsOf(result, result.kind === 'answer' ? this.options.index.externalCnameTarget(result.answer) : null);
  }

  /**
   * `pods insecure` (CoreDNS): `<dashed-ip>.<ns>.pod.<zone>` answers the IP for any namespace that exists,
   * without checking that such a pod runs; a label that is no IP, or an unknown namespace, is NXDOMAIN; the
   * other family and other types are NODATA. Returns null for names that are not pod names (`<ns>.pod.<zone>`
   * and deeper names go to the index). Compiled per query: the names are unbounded, so they are not cached.
   */
  private insecurePod(qname: string, qtype: number, zone: string): Exclude<LookupResult, { kind: 'notauth' }> | null {
    const parsed = parseQname(qname, zone);
    if (parsed === null || parsed.kind !== 'pod') return null;
    const { index, ttl } = this.options;
    if (parsed.ip === null || !this.options.namespaceExists(parsed.namespace)) {
      return { kind: 'nxdomain', zone, answer: [], authority: index.rrset(zone, RRType.SOA) };
    }
    const family = parsed.ip.includes(':') ? RRType.AAAA : RRType.A;
    if (qtype !== family && qtype !== RRType.ANY) {
      return { kind: 'nodata', zone, answer: [], authority: index.rrset(zone, RRType.SOA) };
    }
    const record = { name: qname, type: family, class: RRClass.IN, ttl, data: parsed.ip } as ResourceRecord;
    return { kind: 'answer', zone, answer: [record], authority: [], additional: [] };
  }
}

function answerOf(answer: CompiledAnswer): HandlerResult {
  return { kind: 'answer', answer };
}

/** An index lookup as a records result: authoritative, NXDOMAIN only for a name that exists for no type. */
function recordsOf(result: Exclude<LookupResult, { kind: 'notauth' }>, chase: string | null): RecordsResult {
  return {
    kind: 'records',
    rcode: result.kind === 'nxdomain' ? RCode.NXDOMAIN : RCode.NOERROR,
    flags: HeaderFlag.AA,
    sections: { answer: result.answer, authority: result.authority, additional: result.kind === 'answer' ? result.additional : [] },
    ...(chase === null ? {} : { chase }),
  };
}
