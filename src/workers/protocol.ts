// The IPC messages between the multi-core primary (primary.ts) and its workers (worker-main.ts). The channel
// uses node:cluster's `advanced` serialization (the V8 structured clone), so cluster objects travel as they are.
import type { ClusterDnsServerOptions } from '../cluster-dns.js';
import type { ClusterEvent, ClusterObject } from '../cluster/objects.js';
import type { LoopReport } from '../forward/loop-detection.js';
import type { LogFormat, LogLevel } from '../log/logger.js';
import type { ServerStats } from '../server/server-stats.js';
import type { ResolverCounters } from './resolver-counters.js';

/** The environment variable that carries a worker's WorkerConfig (JSON). */
export const WORKER_CONFIG_ENV = 'CLUSTERDNS_WORKER_CONFIG';

/**
 * What a worker needs to start its DNS server: the serializable part of the options given to the primary
 * (zones, ttl, pods, listen and whatever plain options later features add), the log settings and its slot.
 */
export interface WorkerConfig {
  dns: Omit<ClusterDnsServerOptions, 'manifest' | 'kubernetes' | 'logger' | 'health' | 'ready' | 'metrics'>;
  logFormat: LogFormat;
  logLevel: LogLevel;
  /**
   * A Corefile of several server blocks: every block, the main one first (`dns` is the main block's too). Each
   * `fed` block builds its records from the primary's one data source, as the blocks of a single process do.
   */
  blocks?: WorkerBlockConfig[];
  /** The worker's slot, 0..N-1 (a restarted worker takes the slot of the one it replaces), for its log lines. */
  slot: number;
}

export interface WorkerBlockConfig {
  /** The block's zones ('' = root): a listener shared by several blocks routes by the longest. */
  zones: string[];
  dns: WorkerConfig['dns'];
  /** Serves `kubernetes` (or the --manifest data): gets the cluster state from the primary. */
  fed: boolean;
}

/** Primary → worker. */
export type ToWorker =
  /** The whole cluster state: the answer to 'hello' (also for a restarted worker). */
  | { type: 'state'; objects: ClusterObject[]; synced: boolean }
  /** Changes since, in the order the primary applied them. */
  | { type: 'events'; events: readonly ClusterEvent[] }
  /** The data source finished its first full load (the API source; manifests arrive already synced). */
  | { type: 'synced' }
  /** Report the counters for a /metrics scrape. */
  | { type: 'stats'; id: number }
  /**
   * Close the listeners and exit 0. `handover`: a worker with a new configuration took this one's place on the
   * shared sockets; answer what is still read from them until closed.
   */
  | { type: 'stop'; handover?: boolean };

/** Worker → primary. */
export type FromWorker =
  /** Its store exists: send the state (it binds its sockets once that is applied). */
  | { type: 'hello' }
  | { type: 'listening'; host: string; port: number }
  | { type: 'failed'; message: string; code?: string }
  /** Loop detection found an upstream that forwards back to us (CoreDNS `loop`): the primary exits. */
  | { type: 'loop'; report: LoopReport }
  | { type: 'synced' }
  | { type: 'stats'; id: number; stats: ServerStats; resolver?: ResolverCounters };
