// The cache of forwarded replies (CoreDNS plugin/cache), an LRU of `cacheSize` entries (lru-cache, no timers:
// freshness is checked on lookup against an injectable clock).
//
// Key: qname (lowercase), qtype, qclass and the DO bit: a DNSSEC-aware client never gets a reply stripped of
// signatures cached for another, nor the reverse (RFC 4035 3.2.1). An entry holds only the records of that
// reply within the question's bailiwick (bailiwick.ts) for as long as cache-rules.ts says.
//
// A hit is synchronous and allocates nothing: entries are found by the parsed qname itself (a Map of qname →
// the few entries for its types, classes and DO bits), never by a key string built per query; the LRU (keyed by
// the entry object, read with one shared options object) only orders them for eviction. Each entry's reply is
// compiled (compileAnswer) when it is stored, off the hit path; a hit at most rewrites its TTL fields in place,
// once per second, as the countdown changes them. Cached replies clear AA (they come from a cache, not the zone;
// CoreDNS does the same).
//
// Prefetch (CoreDNS `prefetch AMOUNT DURATION PERCENTAGE%`, plugin/cache/freq): an entry counts its hits, the
// count starting over at 1 when the previous hit is more than `prefetchWindowMs` old; once it has
// `prefetchHits` and at most `prefetchPercent` of its lifetime (rounded up to whole seconds) is left, it is
// refreshed in the background, and the new entry inherits the count, so a popular name is refreshed life after
// life and never expires. Each entry's point in that last PERCENTAGE is drawn at random from its second half:
// entries filled in the same second (a cold start, a burst of misses) would otherwise be refreshed in one wave,
// every life, as thousands of upstream exchanges within a fraction of a second, stalling the answers around them.
// Serve-stale (RFC 8767): an expired entry is kept for `serveStaleMs` more, to be served with TTL 30 when
// every upstream fails (RFC 8767 4: 30 s is the recommended stale TTL).
import { LRUCache } from 'lru-cache';
import { performance } from 'node:perf_hooks';
import { compileAnswer, ttlOffsets, type CompiledAnswer } from '../wire/compiled-answer.js';
import type { ResourceRecord } from '../wire/types.js';
import type { CacheableSections } from './bailiwick.js';
import { cacheDecision, type CacheableReply, type CacheEntryKind } from './cache-rules.js';
import { createCacheStats, type CacheStats } from './cache-stats.js';

export const DEFAULT_CACHE_SIZE = 10_000;
export const DEFAULT_CACHE_TTL = 30;
export const DEFAULT_PREFETCH_HITS = 10;
export const DEFAULT_PREFETCH_PERCENT = 10;
/** CoreDNS's `prefetch` DURATION default: hits further apart than this start the count over. */
export const DEFAULT_PREFETCH_WINDOW_MS = 60_000;
/** RFC 8767 4: the TTL of a stale answer. */
export const STALE_TTL = 30;

export interface ResponseCacheOptions {
  /** Entries kept, least recently used evicted; default 10,000. */
  maxEntries?: number;
  /** The longest any entry stays fresh, seconds (CoreDNS `cache TTL`); default 30. */
  maxTtl?: number;
  /** The longest a denial (NXDOMAIN, NODATA, SERVFAIL) stays fresh, seconds (CoreDNS `denial N TTL`); default maxTtl. */
  maxDenialTtl?: number;
  /** Hits within an entry's life that make it worth prefetching; default 10; 0 disables prefetch. */
  prefetchHits?: number;
  /** Refresh when at most this percentage of the lifetime is left; default 10. */
  prefetchPercent?: number;
  /** Hits further apart than this start the count over (CoreDNS `prefetch N DURATION`); default 1 min. */
  prefetchWindowMs?: number;
  /** A success is kept at least this long, seconds, whatever its records say (CoreDNS `success N TTL MINTTL`); default 0. */
  minTtl?: number;
  /** A denial is kept at least this long, seconds (CoreDNS `denial N TTL MINTTL`); default 0. */
  minDenialTtl?: number;
  /** How long past expiry an entry may be served stale; default 0 (off). */
  serveStaleMs?: number;
  /** Milliseconds on a monotonic clock; tests inject their own. */
  now?: () => number;
  /** Uniform in [0, 1): where in the second half of the prefetch window an entry is refreshed; tests inject their own. */
  random?: () => number;
  stats?: CacheStats;
}

export interface CachedQuestion {
  /** Lowercase, absolute, no trailing dot. */
  qname: string;
  qtype: number;
  qclass: number;
  dnssecOk: boolean;
}

export interface StorableReply extends CacheableReply {
  extraFlags: number;
}

/** A compiled reply ready for the chain; one object per entry and second, handed out on every hit. */
export interface CachedAnswer {
  readonly kind: 'answer';
  readonly answer: CompiledAnswer;
}

/** lru-cache's get() allocates an options object per call unless given one: a hit shares this one. */
const TOUCH: LRUCache.GetOptions<CacheEntry, true, unknown> = {};

export class CacheEntry {
  /** Hits within the prefetch window of each other (CoreDNS freq.Freq). */
  hits = 0;
  /** Clock reading of the last hit, ms. */
  lastHitAt = -Infinity;
  /** Set while a prefetch of this entry is under way, so one popular entry triggers one refresh. */
  prefetching = false;
  /** Prefetched once at most this much of its life is left, ms (ResponseCache.prefetchPoint). */
  prefetchLeftMs = 0;
  /** Seconds of countdown the compiled result reflects; -1 before the first compile. */
  compiledElapsed = -1;
  result: CachedAnswer | null = null;
  /** Offsets of the TTL fields in `result`'s tail, and the TTL each starts from (capped at the entry's life). */
  ttlAt: number[] | null = null;
  baseTtls: number[] = [];

  constructor(
    readonly question: CachedQuestion,
    readonly kind: CacheEntryKind,
    /** Clock reading when stored, ms. */
    readonly storedAt: number,
    /** Fresh lifetime, seconds. */
    readonly ttl: number,
    readonly rcode: number,
    readonly extraFlags: number,
    readonly sections: CacheableSections,
    /** Records are served with at least this TTL (the MINTTL that raised `ttl`), seconds. */
    readonly floorTtl = 0,
  ) {
    this.expiresAt = storedAt + ttl * 1000;
  }

  /** Clock reading when it stops being fresh, ms (a field: read on every hit). */
  readonly expiresAt: number;
}

export class ResponseCache {
  readonly stats: CacheStats;
  /** Every entry, least recently used first out; evicting one removes it from `byName` too. */
  private readonly entries: LRUCache<CacheEntry, true>;
  /** qname → its entries (one per type, class and DO bit asked). */
  private readonly byName = new Map<string, CacheEntry[]>();
  private readonly maxTtl: number;
  private readonly maxDenialTtl: number;
  private readonly prefetchHits: number;
  private readonly prefetchPercent: number;
  private readonly prefetchWindowMs: number;
  private readonly minTtl: number;
  private readonly minDenialTtl: number;
  private readonly serveStaleMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  /** Called when a popular entry is close to expiry; the forwarder refreshes it and stores the result. */
  onPrefetch: ((entry: CacheEntry) => void) | null = null;

  constructor(options: ResponseCacheOptions = {}) {
    this.entries = new LRUCache<CacheEntry, true>({
      max: Math.max(1, options.maxEntries ?? DEFAULT_CACHE_SIZE),
      dispose: (_value, entry) => this.unindex(entry),
    });
    this.maxTtl = options.maxTtl ?? DEFAULT_CACHE_TTL;
    this.maxDenialTtl = options.maxDenialTtl ?? this.maxTtl;
    this.prefetchHits = options.prefetchHits ?? DEFAULT_PREFETCH_HITS;
    this.prefetchPercent = options.prefetchPercent ?? DEFAULT_PREFETCH_PERCENT;
    this.prefetchWindowMs = options.prefetchWindowMs ?? DEFAULT_PREFETCH_WINDOW_MS;
    this.minTtl = options.minTtl ?? 0;
    this.minDenialTtl = options.minDenialTtl ?? 0;
    this.serveStaleMs = options.serveStaleMs ?? 0;
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
    this.stats = options.stats ?? createCacheStats();
  }

  /** coredns_cache_entries: entries held, stale ones included. */
  get size(): number {
    return this.entries.size;
  }

  /** The fresh entry for a question with its compiled reply up to date, or undefined (a miss, counted). */
  lookup(qname: string, qtype: number, qclass: number, dnssecOk: boolean): CacheEntry | undefined {
    const entry = this.find(qname, qtype, qclass, dnssecOk);
    if (entry === undefined) {
      this.stats.misses++;
      return undefined;
    }
    const now = this.now();
    const expiresAt = entry.expiresAt;
    if (now >= expiresAt) {
      if (now >= expiresAt + this.serveStaleMs) this.entries.delete(entry);
      this.stats.misses++;
      return undefined;
    }
    this.entries.get(entry, TOUCH); // most recently used
    if (entry.kind === 'success') this.stats.successHits++;
    else this.stats.denialHits++;
    const elapsed = Math.floor((now - entry.storedAt) / 1000);
    if (elapsed !== entry.compiledElapsed) countDown(entry, elapsed);
    if (this.prefetchHits > 0 && this.shouldPrefetch(entry, now)) {
      entry.prefetching = true;
      this.stats.prefetches++;
      this.onPrefetch?.(entry);
    }
    return entry;
  }

  /**
   * CoreDNS shouldPrefetch: counts the hit (starting over when the last one is older than the window), then
   * whether the entry has enough hits and is inside its prefetch window (prefetchPoint).
   */
  private shouldPrefetch(entry: CacheEntry, now: number): boolean {
    entry.hits = now - entry.lastHitAt > this.prefetchWindowMs ? 1 : entry.hits + 1;
    entry.lastHitAt = now;
    if (entry.hits < this.prefetchHits || entry.prefetching || this.onPrefetch === null) return false;
    return entry.expiresAt - now <= entry.prefetchLeftMs;
  }

  /**
   * How much of its life is left when an entry is prefetched, ms: CoreDNS's ceil(PERCENTAGE of its life) in whole
   * seconds, times a random factor in (0.5, 1], so that entries stored together are refreshed apart.
   */
  private prefetchPoint(ttl: number): number {
    return Math.ceil((this.prefetchPercent / 100) * ttl) * 1000 * (1 - this.random() / 2);
  }

  /** An expired entry still inside the serve-stale window, compiled with TTL 30 (counted); else null. */
  stale(qname: string, qtype: number, qclass: number, dnssecOk: boolean): CacheEntry | null {
    if (this.serveStaleMs <= 0) return null;
    const entry = this.find(qname, qtype, qclass, dnssecOk);
    if (entry === undefined || entry.kind === 'servfail') return null;
    const now = this.now();
    if (now >= entry.expiresAt + this.serveStaleMs) return null;
    this.stats.servedStale++;
    return entry;
  }

  /** The compiled reply of a stale entry: every TTL 30 (RFC 8767 4). */
  staleAnswer(entry: CacheEntry): CompiledAnswer {
    return compileEntry(entry, 0, STALE_TTL);
  }

  /** The sections of an entry with TTLs counted down (for the chain's internal requests). */
  records(entry: CacheEntry): CacheableSections {
    const elapsed = Math.max(0, Math.floor((this.now() - entry.storedAt) / 1000));
    return countedDown(entry, elapsed, -1);
  }

  /**
   * Caches `reply` for the question when the cache rules allow it (replacing what was there); returns the
   * entry, or null when nothing was cached. `refreshes`: the entry a prefetch replaces, whose hit count the new
   * one carries on (CoreDNS doPrefetch), so it is refreshed again before it expires.
   */
  store(question: CachedQuestion, reply: StorableReply, refreshes?: CacheEntry): CacheEntry | null {
    const decision = cacheDecision(question.qname, reply, this.maxTtl, this.maxDenialTtl, this.minTtl, this.minDenialTtl);
    if (decision === null) return null;
    const { qname, qtype, qclass, dnssecOk } = question;
    const previous = this.find(qname, qtype, qclass, dnssecOk);
    if (previous !== undefined) this.entries.delete(previous);
    const now = this.now();
    const entry = new CacheEntry(question, decision.kind, now, decision.ttl, reply.rcode, reply.extraFlags, decision.sections, decision.floorTtl);
    entry.prefetchLeftMs = this.prefetchPoint(entry.ttl);
    if (refreshes !== undefined) {
      entry.hits = refreshes.hits;
      entry.lastHitAt = now;
    }
    // Compiled now, on the way back from the upstream, so that no hit pays for it.
    countDown(entry, 0);
    const siblings = this.byName.get(qname);
    if (siblings === undefined) this.byName.set(qname, [entry]);
    else siblings.push(entry);
    this.entries.set(entry, true);
    return entry;
  }

  /** Entries held by kind, for coredns_cache_entries{type}: SERVFAIL entries count as denial, as in CoreDNS's ncache. */
  countByKind(): { success: number; denial: number } {
    let success = 0;
    for (const siblings of this.byName.values()) {
      for (const entry of siblings) if (entry.kind === 'success') success++;
    }
    return { success, denial: this.entries.size - success };
  }

  /** Whether an entry (fresh or stale) exists, without touching recency or counters (tests, metrics). */
  has(qname: string, qtype: number, qclass: number, dnssecOk: boolean): boolean {
    return this.find(qname, qtype, qclass, dnssecOk) !== undefined;
  }

  clear(): void {
    this.entries.clear();
    this.byName.clear();
  }

  private find(qname: string, qtype: number, qclass: number, dnssecOk: boolean): CacheEntry | undefined {
    const siblings = this.byName.get(qname);
    if (siblings === undefined) return undefined;
    for (let i = 0; i < siblings.length; i++) {
      const question = siblings[i].question;
      if (question.qtype === qtype && question.qclass === qclass && question.dnssecOk === dnssecOk) return siblings[i];
    }
    return undefined;
  }

  private unindex(entry: CacheEntry): void {
    const siblings = this.byName.get(entry.question.qname);
    if (siblings === undefined) return;
    const at = siblings.indexOf(entry);
    if (at >= 0) siblings.splice(at, 1);
    if (siblings.length === 0) this.byName.delete(entry.question.qname);
  }
}

/** TTLs counted down by `elapsed` seconds (never past the entry's lifetime, never below 0), or all `fixedTtl`. */
function countedDown(entry: CacheEntry, elapsed: number, fixedTtl: number): CacheableSections {
  const ttlOf = (record: ResourceRecord) => (fixedTtl >= 0 ? fixedTtl : Math.max(0, baseTtl(entry, record) - elapsed));
  const copy = (records: ResourceRecord[]) => records.map((record) => ({ ...record, ttl: ttlOf(record) }) as ResourceRecord);
  return { answer: copy(entry.sections.answer), authority: copy(entry.sections.authority), additional: copy(entry.sections.additional) };
}

/**
 * The entry's compiled reply with TTLs `elapsed` seconds down: encoded once, then only its TTL fields are
 * rewritten in place as the seconds pass (a reply copies the tail synchronously, so none is in flight).
 */
function countDown(entry: CacheEntry, elapsed: number): void {
  if (entry.result === null || entry.ttlAt === null) {
    const answer = compileEntry(entry, elapsed, -1);
    entry.result = { kind: 'answer', answer };
    entry.ttlAt = ttlOffsets(answer);
    const { answer: a, authority, additional } = entry.sections;
    entry.baseTtls = [...a, ...authority, ...additional].map((record) => baseTtl(entry, record));
  } else {
    const tail = entry.result.answer.tail;
    const offsets = entry.ttlAt;
    const base = entry.baseTtls;
    // Byte stores: cheaper than writeUInt32BE's checked call for a handful of TTLs.
    for (let i = 0; i < offsets.length; i++) {
      const ttl = Math.max(0, base[i] - elapsed);
      const at = offsets[i];
      tail[at] = ttl >>> 24;
      tail[at + 1] = (ttl >>> 16) & 0xff;
      tail[at + 2] = (ttl >>> 8) & 0xff;
      tail[at + 3] = ttl & 0xff;
    }
  }
  entry.compiledElapsed = elapsed;
}

/** A record's TTL when stored: raised to the entry's MINTTL, capped at the entry's life. */
function baseTtl(entry: CacheEntry, record: ResourceRecord): number {
  return Math.min(Math.max(record.ttl, entry.floorTtl), entry.ttl);
}

function compileEntry(entry: CacheEntry, elapsed: number, fixedTtl: number): CompiledAnswer {
  const { qname, qtype, qclass } = entry.question;
  return compileAnswer(qname, qtype, qclass, countedDown(entry, elapsed, fixedTtl), entry.rcode, false, entry.extraFlags);
}
