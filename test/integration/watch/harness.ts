// A live-cluster test rig: API emulator + kubeconfig file + KubernetesApiSource (real client-node) feeding
// the real ClusterStore and RecordIndex; `answer()` reads the index the way the kubernetes handler does
// (SERVFAIL until synced, then RecordIndex.lookup: answer, NODATA or NXDOMAIN).
import type { KubeConfig } from '@kubernetes/client-node';
import { KubernetesApiSource, type KubernetesApiSourceOptions } from '../../../src/kube-api/api-source.js';
import { ClusterStore } from '../../../src/cluster/cluster-store.js';
import { resolveKubeConfig } from '../../../src/kube-api/kubeconfig.js';
import type { PodsMode } from '../../../src/cluster/objects.js';
import { formatRdata } from '../../../src/wire/presentation.js';
import { RecordIndex } from '../../../src/records/record-index.js';
import { RRType } from '../../../src/wire/types.js';
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

  // As the kubernetes handler answers: SERVFAIL until synced, then the index's lookup.
  const answer = (name: string, type: QueryType): Answer => {
    const q = name.toLowerCase().replace(/\.$/, '');
    if (!store.synced) return { rcode: 'SERVFAIL', data: [] };
    const qtype = RRType[type];
    const result = index.lookup(q, qtype);
    switch (result.kind) {
      case 'answer':
        return { rcode: 'NOERROR', data: result.answer.filter((r) => r.type === qtype).map((r) => formatRdata(r)).sort() };
      case 'nodata':
        return { rcode: 'NOERROR', data: [] };
      case 'nxdomain':
        return { rcode: 'NXDOMAIN', data: [] };
      default:
        throw new Error(`${q} is outside the served zones`);
    }
  };

  return {
    emu,
    kubeConfig,
    kubeconfigFile,
    store,
    index,
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
