// The bench's plain-JavaScript modules (the cluster generator, the query files, the programming-latency run,
// the profile summary) run without a build and are typed by their .d.mts. The compiled copy of this folder
// in dist-bench/ loads them from the source tree, where they are, so there is one copy of each.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './paths.js';

const load = <T>(file: string): Promise<T> => import(pathToFileURL(join(REPO_ROOT, 'bench', file)).href) as Promise<T>;

export const { writeCluster } = await load<typeof import('../generate-cluster.mjs')>('generate-cluster.mjs');
export const { writeQueries, HITS_MIX } = await load<typeof import('../queries.mjs')>('queries.mjs');
export const { measureProgrammingLatency } = await load<typeof import('../programming-latency.mjs')>('programming-latency.mjs');
export const { cliNodeArgs } = await load<typeof import('../cli-node-args.mjs')>('cli-node-args.mjs');
export const { summarizeProfile } = await load<typeof import('../profile-summary.mjs')>('profile-summary.mjs');
