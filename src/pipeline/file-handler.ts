// The CoreDNS `file` plugin as a pipeline handler (model: CoreDNS plugin/file/file.go): zones read from zone
// files, answered authoritatively.
//
//   qname in no zone, or qclass other than IN / ANY → skip (the next handler may answer)
//   AXFR / IXFR                                     → REFUSED (CoreDNS transfers only with the `transfer` plugin)
//   an internal request (CNAME chase, autopath)     → `records`
//   a CNAME chain that leaves the zone              → `records` with `chase` = the target, for the chain to resolve
//   anything else                                   → the compiled answer
//
// Results are memoized per (qname, qtype) until a zone changes, and bounded: a storm of random names in a
// zone cannot grow memory past `maxCachedAnswers`. Synchronous: no Promise per packet.
import { compileAnswer } from '../wire/compiled-answer.js';
import { HeaderFlag } from '../wire/header.js';
import { RCode, RRClass, RRType } from '../wire/types.js';
import type { Zone, ZoneAnswer } from '../zonefile/zone.js';
import type { DnsRequest, Handler, HandlerResult, RecordsResult } from './handler.js';

/** Where the handler finds zones: a ZoneDirectory, or anything that serves zones the same way. */
export interface ZoneSource {
  findZone(qname: string): Zone | null;
  /** Called whenever a zone is loaded, replaced or removed; returns an unsubscribe. */
  onChange(listener: (origins: readonly string[]) => void): () => void;
}

export interface FileHandlerOptions {
  zones: ZoneSource;
  /** Cap on memoized results (default 10,000); past it the memo starts over. */
  maxCachedAnswers?: number;
}

const SKIP: HandlerResult = Object.freeze({ kind: 'skip' });
const TRANSFER_REFUSED: HandlerResult = Object.freeze({ kind: 'error', rcode: RCode.REFUSED });

export class FileHandler implements Handler {
  readonly name = 'file';
  /** qtype → qname → result: nested maps avoid building a key string per query. */
  private readonly memo = new Map<number, Map<string, HandlerResult>>();
  private memoCount = 0;
  private readonly maxCachedAnswers: number;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: FileHandlerOptions) {
    this.maxCachedAnswers = Math.max(1, options.maxCachedAnswers ?? 10_000);
    this.unsubscribe = options.zones.onChange(() => this.clear());
  }

  /** Results held now (for tests and metrics). */
  get cachedAnswers(): number {
    return this.memoCount;
  }

  handle(request: DnsRequest): HandlerResult {
    const { qname, qtype, qclass } = request.query;
    const zone = this.options.zones.findZone(qname);
    if (zone === null) return SKIP;
    if (qclass !== RRClass.IN && qclass !== RRClass.ANY) return SKIP;
    if (qtype === RRType.AXFR || qtype === RRType.IXFR) return TRANSFER_REFUSED;
    if (request.internal) return recordsOf(zone.lookup(qname, qtype));
    const hit = this.memo.get(qtype)?.get(qname);
    if (hit !== undefined) return hit;
    const found = zone.lookup(qname, qtype);
    const result: HandlerResult =
      found.chase !== undefined
        ? recordsOf(found)
        : { kind: 'answer', answer: compileAnswer(qname, qtype, RRClass.IN, found, found.rcode, found.authoritative) };
    this.remember(qname, qtype, result);
    return result;
  }

  /** Stops following zone changes. */
  close(): void {
    this.unsubscribe();
    this.clear();
  }

  private remember(qname: string, qtype: number, result: HandlerResult): void {
    if (this.memoCount >= this.maxCachedAnswers) this.clear();
    let byName = this.memo.get(qtype);
    if (byName === undefined) this.memo.set(qtype, (byName = new Map()));
    byName.set(qname, result);
    this.memoCount++;
  }

  private clear(): void {
    this.memo.clear();
    this.memoCount = 0;
  }
}

function recordsOf(found: ZoneAnswer): RecordsResult {
  const result: RecordsResult = {
    kind: 'records',
    rcode: found.rcode,
    flags: found.authoritative ? HeaderFlag.AA : 0,
    sections: { answer: found.answer, authority: found.authority, additional: found.additional },
  };
  if (found.chase !== undefined) result.chase = found.chase;
  return result;
}
