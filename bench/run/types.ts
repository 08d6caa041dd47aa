// The shapes the bench's modules hand each other: what a target is, what one load run measured, and what
// a target's whole measurement adds up to.

export type Transport = 'udp' | 'tcp';

/** hits and storm: the cluster mixes (bench/queries.mjs); fwd: names of the upstream's zone (forward-zone.ts). */
export type Mix = 'hits' | 'storm' | 'fwd';

export const TARGETS = ['clusterdns', 'clusterdns-all', 'clusterdns-cache', 'probe', 'probe-all', 'knot', 'nsd'] as const;
export type Target = (typeof TARGETS)[number];

/** One dnsperf saturation run against one target. */
export interface SaturationRun {
  qps: number | null;
  sent: number | null;
  completed: number | null;
  lost: number | null;
  lossPct: number | null;
  avgLatencyMs: number;
  rcodes: Record<string, number>;
  /** The server's CPU seconds per wall second during the run (its whole process tree). */
  cpuShare: number;
  /** 'ok', 'n/a' (the probe's fixed reply) or what was wrong with the rcode mix. */
  rcodeCheck: string;
}

/** The runs of one transport and mix; best = highest QPS. */
export interface RunSeries {
  best: SaturationRun;
  all: SaturationRun[];
}

/** The fixed-rate run: per-query latency percentiles in ms. */
export interface LatencyFigures {
  p50: number | null;
  p99: number | null;
  'p99.9': number | null;
  samples: number;
  qps: number | null;
  lost: number | null;
  avgMs?: number;
}

export interface TargetResult {
  target: Target;
  size: number;
  /** Keyed `${transport}-${mix}`. */
  runs: Record<string, RunSeries>;
  startupMs?: number;
  idleRssMiB?: number;
  loadedRssMiB?: number;
  /** Idle and loaded RSS of each process of the tree, the server's own first (clusterdns-all: the primary, then its workers). */
  idleRssByProcessMiB?: number[];
  loadedRssByProcessMiB?: number[];
  /** dig answers to the dataset's check questions, normalised (dig-answer.ts). */
  answers?: string[];
  latency?: LatencyFigures;
  /** clusterdns-cache only: the forwarded check questions, answered by clusterdns and by the upstream itself. */
  forwardAnswers?: string[];
  upstreamAnswers?: string[];
  /** clusterdns-cache only: the upstream's CPU seconds during the measured runs (≈ 0 when every query hit the cache). */
  upstreamCpuSeconds?: number;
  /** clusterdns-cache only: its rounds alternated with the probe's (issue 13's two cache rows). */
  cachePairs?: CachePairs;
  forwardNames?: number;
}

/** A target that could not be measured at one size, and why. */
export interface Skipped {
  target: Target;
  size: number;
  reason: string;
}

export interface ProgrammingLatency {
  size: number;
  rate: number;
  seconds: number;
  changes: number;
  answered: number;
  missed: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export interface ProfileFrame {
  functionName: string;
  location: string;
  selfMs: number;
  selfPct: number;
}

export interface ProfileResult {
  mix: string;
  file: string;
  skipMs: number;
  top: ProfileFrame[];
}

export type DnsType = 'A' | 'AAAA' | 'SRV' | 'PTR' | 'TXT';
export type Question = [name: string, type: DnsType];

/** Everything generated for one cluster size. */
export interface Dataset {
  size: number;
  manifest: string;
  zoneFile: string;
  hitsFile: string;
  stormFile: string;
  /** A ClusterIP service's A name and address: the readiness check. */
  checkName: string;
  checkIp: string;
  checks: Question[];
  /** Fraction of NXDOMAIN in the hits mix. */
  hitsNx: number;
  forward: ForwardZoneFiles;
}

/** The upstream's extra zone for clusterdns-cache (forward-zone.ts). */
export interface ForwardZoneFiles {
  origin: string;
  zoneFile: string;
  queriesFile: string;
  names: number;
  /** An A name of the zone and its address: the upstream's readiness check. */
  checkName: string;
  checkIp: string;
  checks: Question[];
}

/** One size of the watch bench (bench/watch/watch-bench.ts), as it writes it with --json. */
/** Issue 13's p99 row: fixed-10k-QPS runs of the probe and clusterdns alternated (measure-latency-pairs.ts). */
export interface LatencyPairs {
  size: number;
  /** p99 in ms of each round, the probe's run first. */
  pairs: Array<{ probe: number; clusterdns: number }>;
}

/**
 * Issue 13's two cache rows measured like the p99 row: the probe's and clusterdns-cache's single UDP
 * saturation runs and fixed-10k-QPS runs alternated (measure-forward-cache.ts); `clusterdns` is the cache's.
 */
export interface CachePairs {
  size: number;
  qps: LatencyPairs['pairs'];
  p99: LatencyPairs['pairs'];
  /** Over the cache's alternated saturation runs: queries lost, and 'ok' or the first wrong rcode mix. */
  lost: number;
  rcodeCheck: string;
}

/**
 * Issue 13's `--workers` row measured like the p99 row (measure-worker-pairs.ts): single saturation runs of one
 * core and of all cores alternated, per `${transport}-${mix}`; `probe` holds the bare probe's and probe-all's.
 */
export interface WorkerPairs {
  size: number;
  clusterdns: Record<string, Array<{ one: number; all: number }>>;
  probe: Record<string, Array<{ one: number; all: number }>>;
}

export interface WatchResult {
  size: string;
  services: number;
  endpoints: number;
  pods: number;
  objects: number;
  syncedMs: number;
  firstAnswerMs: number;
  /** The CLI's RSS after sync and one GC, whole MiB (and to 0.1 MiB). */
  rssMiB: number;
  rssExactMiB?: number;
  changes: number;
  changesPerSecond: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  latencyMaxMs: number | null;
  missed: number;
}
