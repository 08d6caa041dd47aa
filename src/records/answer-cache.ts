// Compiled answers per (qname, qtype): a lookup is encoded once and replayed until the index changes what
// it read (docs/architecture.md "Life of a query").
// - Positive answers (and negative ones behind a CNAME chain) record the names they read and are dropped
//   when the index reports one of those names changed.
// - Plain negative answers (NXDOMAIN / NODATA at the qname) carry the zone SOA, whose serial moves on every
//   change in the zone, so all of a zone's negatives are dropped on any change in it. They are what random
//   names (an ndots:5 search-path storm) produce, so they are capped per zone.
import { compileAnswer, type CompiledAnswer } from '../wire/compiled-answer.js';
import { RCode, RRClass, RRType, type ResourceRecord, type SrvData } from '../wire/types.js';
import type { RecordIndex } from './record-index.js';
import type { LookupResult } from './types.js';

export interface AnswerCacheOptions {
  /** Cap on cached negative answers per zone: an ndots:5 storm of random names must not grow memory. */
  maxNegativePerZone?: number;
  /** Cap on cached positive answers (names × queried types). */
  maxPositive?: number;
}

interface PositiveEntry {
  compiled: CompiledAnswer;
  dependsOn: string[];
}

/** qtype → qname → compiled answer: nested maps avoid building a key string per query. */
type ByType = Map<number, Map<string, CompiledAnswer>>;

/**
 * One zone's negative answers in two generations, a cheap approximation of LRU: new entries go to `young`;
 * when it is full it becomes `old` (the previous `old` is dropped) and a hit in `old` is copied back into
 * `young`. Memory stays under the cap while the negatives clients keep asking for (search-path expansions
 * such as `hello.default.svc.cluster.local.default.svc.cluster.local`) survive a storm of one-off names.
 */
interface NegativeZone {
  young: ByType;
  youngCount: number;
  old: ByType | null;
  oldCount: number;
}

export class AnswerCache {
  /** qtype → qname → entry: nested maps avoid building a key string per query. */
  private readonly positive = new Map<number, Map<string, PositiveEntry>>();
  private positiveCount = 0;
  /** name → the (qtype, qname) entries whose answer read it. */
  private readonly dependents = new Map<string, Set<string>>();
  /** zone → its negative answers. */
  private readonly negative = new Map<string, NegativeZone>();
  /**
   * zone → (offset of the zone in the question × 2 + 1 for NXDOMAIN) → tail. A plain NXDOMAIN / NODATA tail
   * is the zone SOA alone, whose owner and names compress to where the zone's suffix starts in the question:
   * it depends on that offset, not on the name, so every name of a storm shares a handful of tails.
   */
  private readonly sharedNegative = new Map<string, Map<number, CompiledAnswer>>();
  /** Entries per generation: two generations stay within maxNegativePerZone. */
  private readonly negativeGeneration: number;
  private readonly maxPositive: number;

  constructor(
    private readonly index: RecordIndex,
    options: AnswerCacheOptions = {},
  ) {
    this.negativeGeneration = Math.max(1, Math.floor((options.maxNegativePerZone ?? 50_000) / 2));
    this.maxPositive = options.maxPositive ?? 500_000;
    index.onChange((names) => this.invalidate(names));
  }

  /**
   * The compiled reply tail for an authoritative question, or null when the name is in none of the index's
   * zones. `qname` is lowercase, absolute, without the trailing dot.
   */
  get(qname: string, qtype: number): CompiledAnswer | null {
    const hit = this.positive.get(qtype)?.get(qname);
    if (hit) return hit.compiled;
    const zone = this.index.findZone(qname);
    if (zone === null) return null;
    const negatives = this.negative.get(zone);
    if (negatives !== undefined) {
      const young = negatives.young.get(qtype)?.get(qname);
      if (young) return young;
      const old = negatives.old?.get(qtype)?.get(qname);
      if (old) {
        this.storeNegative(zone, qname, qtype, old); // still wanted: keep it through the next rotation
        return old;
      }
    }
    return this.compile(qname, qtype, zone);
  }

  /** Entries held now (for tests and metrics). */
  get size(): { positive: number; negative: number } {
    let negative = 0;
    for (const zone of this.negative.values()) negative += zone.youngCount + zone.oldCount;
    for (const tails of this.sharedNegative.values()) negative += tails.size;
    return { positive: this.positiveCount, negative };
  }

  private compile(qname: string, qtype: number, zone: string): CompiledAnswer {
    const result = this.index.lookup(qname, qtype);
    const shared = this.sharedNegativeTail(qname, qtype, result);
    if (shared !== null) return shared; // nothing per name to keep: the lookup is the only per-query work
    const compiled = compileResult(qname, qtype, result);
    if (result.kind === 'notauth') return compiled;
    if (result.kind === 'answer') compiled.chase = this.index.externalCnameTarget(result.answer);
    // A negative answer behind a CNAME chain may end in another zone, whose changes the per-zone negative
    // store would miss: it is tracked by the names it read, like a positive one. Such entries exist only
    // for names that own a CNAME, so they are bounded by the data, not by what clients ask.
    if (result.kind === 'answer' || result.answer.length > 0) {
      this.storePositive(qname, qtype, compiled, dependencies(qname, result));
    } else {
      this.storeNegative(zone, qname, qtype, compiled);
    }
    return compiled;
  }

  /**
   * The shared tail for a chainless NXDOMAIN / NODATA of `qname` in `result.zone`, or null when the name's
   * text length is not its wire layout (escaped labels), which the per-name store then handles.
   */
  private sharedNegativeTail(qname: string, qtype: number, result: LookupResult): CompiledAnswer | null {
    if (result.kind === 'answer' || result.kind === 'notauth' || result.answer.length > 0) return null;
    if (result.zone === '' || qname.includes('\\')) return null;
    const zone = result.zone;
    const offset = qname.length - zone.length; // where the zone's labels start in the question's wire name
    const key = offset * 2 + (result.kind === 'nxdomain' ? 1 : 0);
    let tails = this.sharedNegative.get(zone);
    if (tails === undefined) this.sharedNegative.set(zone, (tails = new Map()));
    let tail = tails.get(key);
    if (tail === undefined) {
      tail = compileResult(nameWithZoneAt(offset, zone), qtype, result);
      tails.set(key, tail);
    }
    return tail;
  }

  private storePositive(qname: string, qtype: number, compiled: CompiledAnswer, dependsOn: string[]): void {
    if (this.positiveCount >= this.maxPositive) this.clearPositive();
    let byName = this.positive.get(qtype);
    if (!byName) this.positive.set(qtype, (byName = new Map()));
    byName.set(qname, { compiled, dependsOn });
    this.positiveCount++;
    const key = entryKey(qtype, qname);
    for (const name of dependsOn) {
      let keys = this.dependents.get(name);
      if (!keys) this.dependents.set(name, (keys = new Set()));
      keys.add(key);
    }
  }

  private storeNegative(zone: string, qname: string, qtype: number, compiled: CompiledAnswer): void {
    let negatives = this.negative.get(zone);
    if (negatives === undefined) {
      negatives = { young: new Map(), youngCount: 0, old: null, oldCount: 0 };
      this.negative.set(zone, negatives);
    } else if (negatives.youngCount >= this.negativeGeneration) {
      negatives.old = negatives.young;
      negatives.oldCount = negatives.youngCount;
      negatives.young = new Map();
      negatives.youngCount = 0;
    }
    let byName = negatives.young.get(qtype);
    if (!byName) negatives.young.set(qtype, (byName = new Map()));
    byName.set(qname, compiled);
    negatives.youngCount++;
  }

  private invalidate(changedNames: ReadonlySet<string>): void {
    const zones = new Set<string>();
    for (const name of changedNames) {
      const zone = this.index.findZone(name);
      if (zone !== null) zones.add(zone);
      const keys = this.dependents.get(name);
      if (!keys) continue;
      this.dependents.delete(name);
      for (const key of keys) this.dropPositive(key);
    }
    for (const zone of zones) {
      this.negative.delete(zone);
      this.sharedNegative.delete(zone);
    }
  }

  private dropPositive(key: string): void {
    const separator = key.indexOf(' ');
    const qtype = Number(key.slice(0, separator));
    const qname = key.slice(separator + 1);
    const byName = this.positive.get(qtype);
    const entry = byName?.get(qname);
    if (!byName || !entry) return;
    byName.delete(qname);
    this.positiveCount--;
    for (const name of entry.dependsOn) {
      const keys = this.dependents.get(name);
      keys?.delete(key);
      if (keys && keys.size === 0) this.dependents.delete(name);
    }
  }

  private clearPositive(): void {
    this.positive.clear();
    this.dependents.clear();
    this.positiveCount = 0;
  }
}

/**
 * A name whose wire form has `zone` starting `offset` bytes in (labels of 'x', at most 63 long): compiled in
 * place of the question, it yields a tail whose pointers fit every question with the zone at that offset.
 * 'x' labels never equal the labels of the SOA names (ns, dns, hostmaster), so nothing else points into them.
 */
function nameWithZoneAt(offset: number, zone: string): string {
  const labels: string[] = [];
  let left = offset;
  while (left > 0) {
    // Each label takes its length byte plus 1..63 characters; never leave a single byte behind.
    const take = left > 64 ? (left - 64 === 1 ? 63 : 64) : left;
    labels.push('x'.repeat(take - 1));
    left -= take;
  }
  return [...labels, zone].filter((part) => part !== '').join('.');
}

function entryKey(qtype: number, qname: string): string {
  return `${qtype} ${qname}`;
}

/**
 * Every name whose records or existence this answer was built from: the qname, each CNAME in the chain and
 * its target, SRV and NS targets (their addresses fill the additional section), and for a negative answer
 * the apex of the zone whose SOA it carries (the apex is reported changed whenever the serial moves).
 */
function dependencies(qname: string, result: Exclude<LookupResult, { kind: 'notauth' }>): string[] {
  const names = new Set<string>([qname]);
  for (const record of result.answer) {
    names.add(record.name);
    if (record.type === RRType.CNAME) names.add(record.data as string);
    else if (record.type === RRType.SRV) names.add((record.data as SrvData).target);
    else if (record.type === RRType.NS) names.add(record.data as string);
  }
  if (result.kind === 'answer') for (const record of result.additional) names.add(record.name);
  else names.add(result.zone);
  return [...names];
}

/** RFC 2308: NXDOMAIN and NODATA carry the zone SOA in authority; AA on every authoritative answer. */
export function compileResult(qname: string, qtype: number, result: LookupResult): CompiledAnswer {
  const empty: ResourceRecord[] = [];
  switch (result.kind) {
    case 'answer':
      return compileAnswer(qname, qtype, RRClass.IN, result, RCode.NOERROR, true);
    case 'nodata':
      return compileAnswer(qname, qtype, RRClass.IN, { answer: result.answer, authority: result.authority, additional: empty }, RCode.NOERROR, true);
    case 'nxdomain':
      return compileAnswer(qname, qtype, RRClass.IN, { answer: result.answer, authority: result.authority, additional: empty }, RCode.NXDOMAIN, true);
    case 'notauth':
      return compileAnswer(qname, qtype, RRClass.IN, { answer: empty, authority: empty, additional: empty }, RCode.REFUSED, false);
  }
}
