// A live-cluster test rig: API emulator + kubeconfig file + KubernetesApiSource (real client-node) feeding
// the real ClusterStore and RecordIndex; `answer()` sends a query through the server's own path (query
// parser, Chain, KubernetesHandler with its AnswerCache, reply builder) and decodes the reply, so churn
// scenarios test what a client would get, cache invalidation included.
import type { KubeConfig } from '@kubernetes/client-node';
import { KubernetesApiSource, type KubernetesApiSourceOptions } from '../../../src/kube-api/api-source.js';
import { ClusterStore } from '../../../src/cluster/cluster-store.js';
import { resolveKubeConfig } from '../../../src/kube-api/kubeconfig.js';
import type { PodsMode } from '../../../src/cluster/objects.js';
import { silentLogger } from '../../../src/log/logger.js';
import { Chain } from '../../../src/pipeline/chain.js';
import { KubernetesHandler } from '../../../src/pipeline/kubernetes-handler.js';
import { AnswerCache } from '../../../src/records/answer-cache.js';
import { RecordIndex } from '../../../src/records/record-index.js';
import { QueryProcessor } from '../../../src/server/query-processor.js';
import { createServerStats, type ServerStats } from '../../../src/server/server-stats.js';
import { decodeMessage } from '../../../src/wire/message.js';
import { formatRdata } from '../../../src/wire/presentation.js';
import { RCode, RRType } from '../../../src/wire/types.js';
import { queryBytes } from '../../helpers/raw-query.js';
import { ApiEmulator, captureLogger, tempDir, waitFor, writeKubeconfig, type CapturedLogger } from '../../helpers/api-emulator/index.js';

export const ZONE = 'cluster.local';
const TOKEN = 'watch-scenario-token';

/** Fast retry timings so outage scenarios take milliseconds. */
export const FAST_TUNING = { backoff: { baseMs: 10, maxMs: 100 }, watchdogMs: 2000, minWatchMs: 50 };

export type QueryType = 'A' | 'AAAA' | 'SRV' | 'PTR' | 'CNAME';
export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL';

export interface Answer {
  rcode: Rcode;
  /** Sorted presentation rdata of the answers of the asked type. */
  data: string[];
}

export interface Rig {
  emu: ApiEmulator;
  kubeConfig: KubeConfig;
  kubeconfigFile: string;
  store: ClusterStore;
  index: RecordIndex;
  /** The compiled answers the handler keeps; the churn scenarios check it never serves a stale one. */
  cache: AnswerCache;
  /** Counters of the query path (requests, responses by rcode). */
  stats: ServerStats;
  source: KubernetesApiSource;
  log: CapturedLogger;
  /** What a query for `name`/`type` answers now. */
  answer(name: string, type: QueryType): Answer;
  /** Wait (bounded) until `answer(name, type)` equals `expected`. */
  expectAnswer(name: string, type: QueryType, expected: Answer, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface RigOptions {
  pods?: PodsMode;
  source?: Partial<KubernetesApiSourceOptions>;
  /** Leave the emulator refusing connections before the source starts. */
  apiDown?: boolean;
  /** Objects the emulator holds before the source starts. */
  objects?: Record<string, unknown>[];
}

export async function createRig(options: RigOptions = {}): Promise<Rig> {
  const emu = await new ApiEmulator({ token: TOKEN }).start();
  emu.applyAll(options.objects ?? []);
  if (options.apiDown) await emu.refuseConnections();
  const dir = await tempDir();
  const kubeconfigFile = await writeKubeconfig(dir.dir, { contexts: [{ name: 'emulator', server: emu.url, token: TOKEN }] });
  const kubeConfig = resolveKubeConfig({ kubeconfig: kubeconfigFile }).kubeConfig;
  const log = captureLogger();
  const index = new RecordIndex({ zones: [ZONE, 'in-addr.arpa', 'ip6.arpa'], ttl: 5 });
  const store = new ClusterStore({ index, zones: [ZONE], ttl: 5, pods: options.pods ?? 'verified', logger: log.logger });
  const source = new KubernetesApiSource({
    kubeConfig,
    store,
    logger: log.logger,
    watchPods: true,
    waitForSync: false,
    tuning: FAST_TUNING,
    ...options.source,
  });

  // The handler chain as src/cluster-dns.ts composes it for a cluster (no autopath).
  const cache = new AnswerCache(index);
  const handler = new KubernetesHandler({
    index,
    cache,
    zones: [ZONE],
    isSynced: () => store.synced,
    pods: options.pods ?? 'verified',
    namespaceExists: (namespace) => store.namespaceExists(namespace),
    ttl: 5,
  });
  const stats = createServerStats();
  const processor = new QueryProcessor(new Chain([handler]), stats, silentLogger());

  // What a UDP client gets: the kubernetes handler answers synchronously, so the reply comes back at once.
  const answer = (name: string, type: QueryType): Answer => {
    const qtype = RRType[type];
    let reply: Buffer | null | undefined;
    processor.process(queryBytes(name, qtype), 'udp', '127.0.0.1', 53000, () => 65535, (sent) => (reply = sent));
    if (!reply) throw new Error(`${name} ${type}: no reply`);
    const message = decodeMessage(reply);
    const rcode = message.rcode === RCode.NOERROR ? 'NOERROR' : message.rcode === RCode.NXDOMAIN ? 'NXDOMAIN' : message.rcode === RCode.SERVFAIL ? 'SERVFAIL' : undefined;
    if (rcode === undefined) throw new Error(`${name} ${type}: rcode ${message.rcode}`);
    return { rcode, data: message.answers.filter((r) => r.type === qtype).map((r) => formatRdata(r)).sort() };
  };

  return {
    emu,
    kubeConfig,
    kubeconfigFile,
    store,
    index,
    cache,
    stats,
    source,
    log,
    answer,
    async expectAnswer(name, type, expected, timeoutMs = 5000) {
      await waitFor(() => JSON.stringify(answer(name, type)) === JSON.stringify(expected), {
        timeoutMs,
        what: `${name} ${type} → ${JSON.stringify(expected)}; now ${JSON.stringify(answer(name, type))}`,
      });
    },
    async close() {
      await source.close();
      await emu.close();
      await dir.remove();
    },
  };
}

export const ok = (...data: string[]): Answer => ({ rcode: 'NOERROR', data: data.sort() });
export const nxdomain: Answer = { rcode: 'NXDOMAIN', data: [] };
export const servfail: Answer = { rcode: 'SERVFAIL', data: [] };
