// The CoreDNS `kubernetes` plugin as a pipeline handler (model: CoreDNS plugin/kubernetes/handler.go):
// match the zone, refuse zone transfers, answer SERVFAIL until the first full sync (never a false NXDOMAIN),
// synthesize `pods insecure` records, and otherwise replay the compiled answer for (qname, qtype).
import { parseQname } from '../kubernetes/qname.js';
import type { PodsMode } from '../kubernetes/objects.js';
import type { AnswerCache } from '../records/answer-cache.js';
import { compileResult } from '../records/answer-cache.js';
import type { RecordIndex } from '../records/record-index.js';
import type { CompiledAnswer } from '../wire/compiled-answer.js';
import { RCode, RRClass, RRType, type ResourceRecord } from '../wire/types.js';
import type { DnsRequest, Handler, HandlerResult } from './handler.js';

export interface KubernetesHandlerOptions {
  index: RecordIndex;
  cache: AnswerCache;
  /** Cluster zones (cluster.local); the reverse zones are whatever else the index serves. */
  zones: string[];
  isSynced: () => boolean;
  pods: PodsMode;
  namespaceExists: (namespace: string) => boolean;
  ttl: number;
}

// Results without per-query data are allocated once (no allocation on the hot path).
const SKIP: HandlerResult = { kind: 'skip' };
const NOT_SYNCED: HandlerResult = { kind: 'error', rcode: RCode.SERVFAIL };
const TRANSFER_REFUSED: HandlerResult = { kind: 'error', rcode: RCode.REFUSED };

export class KubernetesHandler implements Handler {
  readonly name = 'kubernetes';
  private readonly clusterZones: Set<string>;

  constructor(private readonly options: KubernetesHandlerOptions) {
    this.clusterZones = new Set(options.zones);
  }

  handle(request: DnsRequest): HandlerResult {
    const { qname, qtype, qclass } = request.query;
    const { index, cache } = this.options;
    const zone = index.findZone(qname);
    if (zone === null) return SKIP;
    if (qclass !== RRClass.IN && qclass !== RRClass.ANY) return SKIP;
    if (!this.options.isSynced()) return NOT_SYNCED;
    // Zone transfers are not offered (CoreDNS only allows them with the `transfer` plugin).
    if (qtype === RRType.AXFR || qtype === RRType.IXFR) return TRANSFER_REFUSED;
    if (this.options.pods === 'insecure' && this.clusterZones.has(zone)) {
      const synthesized = this.insecurePod(qname, qtype, zone);
      if (synthesized) return synthesized;
    }
    const answer = cache.get(qname, qtype);
    return answer ? { kind: 'answer', answer } : SKIP;
  }

  /**
   * `pods insecure` (CoreDNS): `<dashed-ip>.<ns>.pod.<zone>` answers the IP for any namespace that exists,
   * without checking that such a pod runs. Returns null for names that are not pod names.
   */
  private insecurePod(qname: string, qtype: number, zone: string): HandlerResult | null {
    const parsed = parseQname(qname, zone);
    if (parsed === null || parsed.kind !== 'pod') return null;
    const { index, ttl } = this.options;
    const soa = index.lookup(zone, RRType.SOA);
    const authority = soa.kind === 'answer' ? soa.answer : [];
    if (parsed.ip === null || !this.options.namespaceExists(parsed.namespace)) {
      return answerOf(compileResult(qname, qtype, { kind: 'nxdomain', zone, answer: [], authority }));
    }
    const family = parsed.ip.includes(':') ? RRType.AAAA : RRType.A;
    if (qtype !== family && qtype !== RRType.ANY) {
      return answerOf(compileResult(qname, qtype, { kind: 'nodata', zone, answer: [], authority }));
    }
    const record = { name: qname, type: family, class: RRClass.IN, ttl, data: parsed.ip } as ResourceRecord;
    return answerOf(compileResult(qname, qtype, { kind: 'answer', zone, answer: [record], authority: [], additional: [] }));
  }
}

function answerOf(answer: CompiledAnswer): HandlerResult {
  return { kind: 'answer', answer };
}
