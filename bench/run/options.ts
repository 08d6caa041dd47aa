// The command line of `npm run bench` (bench/run/main.ts). Pure: argv in, options out; an unknown target
// or transport is an error that names it.
import { TARGETS, type Target, type Transport } from './types.js';

export interface BenchOptions {
  quick: boolean;
  sizes: number[];
  duration: number;
  runs: number;
  targets: Target[];
  transports: Transport[];
  /** apt-get install what is missing (root only); off unless --install. */
  install: boolean;
  profile: boolean;
  waitLoad: boolean;
  warmup: boolean;
  profileMixes: string[];
  latencySeconds: number;
  /**
   * Rounds of the runs alternated with the probe for issue 13's rows (--latency-pairs; 0: none): clusterdns's
   * p99, and clusterdns-cache's UDP saturation and p99.
   */
  latencyPairs: number;
  udpClients: number;
  udpOutstanding: number;
  tcpClients: number;
  tcpOutstanding: number;
  /** Names in the upstream zone that clusterdns-cache forwards and caches. */
  forwardNames: number;
  /** Run the watch bench at 10k/50k/50k for issue 13's API row (--no-watch skips it). */
  watch: boolean;
  /** Programmed changes of that watch run (100 a second). */
  watchChanges: number;
  /** --report FILE.jsonl: re-render an earlier run instead of measuring. */
  report?: string;
}

export const DEFAULT_TARGETS = 'clusterdns,clusterdns-all,clusterdns-cache,probe,knot,nsd';

export const USAGE = `node dist-bench/bench/run/main.js (npm run bench --) [--quick] [--sizes 1000,10000,100000] [--duration 5] [--runs 3]
    [--targets ${DEFAULT_TARGETS}] (also: probe-all) [--transports udp,tcp] [--install] [--no-wait]
    [--no-warmup] [--profile | --no-profile] [--profile-mixes hits,storm] [--latency-seconds 5] [--latency-pairs 5]
    [--forward-names 5000] [--no-watch] [--watch-changes 200] [--report FILE.jsonl]`;

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const flag = (name: string): boolean => argv.includes(name);
  const value = (name: string, dflt: string): string => {
    const i = argv.indexOf(name);
    return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
  };
  const number = (name: string, dflt: number): number => {
    const n = Number(value(name, String(dflt)));
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name}: expected a number, got "${value(name, '')}"`);
    return n;
  };
  const quick = flag('--quick');
  const targets = value('--targets', DEFAULT_TARGETS).split(',').filter(Boolean);
  for (const t of targets) if (!(TARGETS as readonly string[]).includes(t)) throw new Error(`--targets: unknown target "${t}" (known: ${TARGETS.join(', ')})`);
  const transports = value('--transports', 'udp,tcp').split(',').filter(Boolean);
  for (const t of transports) if (t !== 'udp' && t !== 'tcp') throw new Error(`--transports: unknown transport "${t}" (udp, tcp)`);
  return {
    quick,
    sizes: value('--sizes', quick ? '10000' : '1000,10000,100000').split(',').map(Number),
    duration: number('--duration', quick ? 2 : 5),
    runs: number('--runs', quick ? 1 : 3),
    targets: targets as Target[],
    transports: transports as Transport[],
    // --no-install is what no flag means now; still accepted so that older recorded commands run as written.
    install: flag('--install') && !flag('--no-install'),
    profile: !flag('--no-profile') && (!quick || flag('--profile')),
    waitLoad: !flag('--no-wait'),
    warmup: !flag('--no-warmup'),
    profileMixes: value('--profile-mixes', 'hits,storm').split(','),
    latencySeconds: number('--latency-seconds', quick ? 2 : 5),
    latencyPairs: number('--latency-pairs', quick ? 3 : 5),
    udpClients: number('--udp-clients', 4),
    udpOutstanding: number('--udp-outstanding', 64),
    tcpClients: number('--tcp-clients', 8),
    tcpOutstanding: number('--tcp-outstanding', 256),
    forwardNames: number('--forward-names', 5000),
    watch: !flag('--no-watch'),
    watchChanges: number('--watch-changes', quick ? 200 : 1000),
    report: flag('--report') ? value('--report', '') : undefined,
  };
}
