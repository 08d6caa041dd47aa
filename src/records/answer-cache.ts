// Compiled answers per (qname, qtype): a lookup is encoded once and replayed until the index changes what
// it read (DESIGN.md "The hot path"). Positive answers are invalidated per name; negative answers carry the
// zone SOA, whose serial moves on every change in the zone, so a zone's negatives are dropped on any change.
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

export class AnswerCache {
  /** qtype → qname → entry: nested maps avoid building a key string per query. */
  private readonly positive = new Map<number, Map<string, PositiveEntry>>();
  private positiveCount = 0;
  /** name → the (qtype, qname) entries whose answer read it. */
  private readonly dependents = new Map<string, Set<string>>();
  /** zone → qtype → qname → compiled negative answer. */
  private readonly negative = new Map<string, Map<number, Map<string, CompiledAnswer>>>();
  private readonly negativeCounts = new Map<string, number>();
  private readonly maxNegativePerZone: number;
  private readonly maxPositive: number;

  constructor(
    private readonly index: RecordIndex,
    options: AnswerCacheOptions = {},
  ) {
    this.maxNegativePerZone = options.maxNegativePerZone ?? 50_000;
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
    const negativeHit = this.negative.get(zone)?.get(qtype)?.get(qname);
    if (negativeHit) return negativeHit;
    return this.compile(qname, qtype, zone);
  }

  /** Entries held now (for tests and metrics). */
  get size(): { positive: number; negative: number } {
    let negative = 0;
    for (const count of this.negativeCounts.values()) negative += count;
    return { positive: this.positiveCount, negative };
  }

  private compile(qname: string, qtype: number, zone: string): CompiledAnswer {
    const result = this.index.lookup(qname, qtype);
    const compiled = compileResult(qname, qtype, result);
    if (result.kind === 'answer') this.storePositive(qname, qtype, compiled, dependencies(qname, result));
    else this.storeNegative(zone, qname, qtype, compiled);
    return compiled;
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
    let byType = this.negative.get(zone);
    if (!byType || (this.negativeCounts.get(zone) ?? 0) >= this.maxNegativePerZone) {
      this.negative.set(zone, (byType = new Map()));
      this.negativeCounts.set(zone, 0);
    }
    let byName = byType.get(qtype);
    if (!byName) byType.set(qtype, (byName = new Map()));
    byName.set(qname, compiled);
    this.negativeCounts.set(zone, (this.negativeCounts.get(zone) ?? 0) + 1);
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
      this.negativeCounts.delete(zone);
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

function entryKey(qtype: number, qname: string): string {
  return `${qtype} ${qname}`;
}

/** Every name whose records this answer was built from. */
function dependencies(qname: string, result: LookupResult & { kind: 'answer' }): string[] {
  const names = new Set<string>([qname]);
  for (const record of result.answer) {
    names.add(record.name);
    if (record.type === RRType.CNAME) names.add(record.data as string);
    if (record.type === RRType.SRV) names.add((record.data as SrvData).target);
    if (record.type === RRType.NS) names.add(record.data as string);
  }
  for (const record of result.additional) names.add(record.name);
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
