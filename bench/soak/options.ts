// `npm run soak -- --minutes N [--qps Q] [--services S] [--churn C] [--sample-seconds T] [--seed X] [--out FILE]`:
// every figure bounded, so a soak always ends.
export interface SoakOptions {
  /** Length of the whole run (warm-up included), in minutes; fractions allowed. */
  minutes: number;
  /** Lookups started per second, at a fixed rate (an ndots walk is one lookup of up to four queries). */
  qps: number;
  /** Stable ClusterIP Services; the churned pools and the pods are sized from it. */
  services: number;
  /** Cluster changes (add, change, delete) applied per second. */
  churnPerSecond: number;
  /** How often RSS and heap are read from /metrics. */
  sampleSeconds: number;
  /** Seed of the query mix and of the churn, so a failing run can be repeated. */
  seed: number;
  /** Write the full report (every sample) as JSON there. */
  out?: string;
}

export const DEFAULT_SOAK_OPTIONS: SoakOptions = { minutes: 1, qps: 200, services: 500, churnPerSecond: 10, sampleSeconds: 5, seed: 1 };

const LIMITS: Record<Exclude<keyof SoakOptions, 'out'>, [number, number]> = {
  minutes: [0.1, 24 * 60],
  qps: [1, 20_000],
  services: [10, 100_000],
  churnPerSecond: [0, 1000],
  sampleSeconds: [1, 600],
  seed: [0, 2 ** 31],
};

const FLAGS: Record<string, Exclude<keyof SoakOptions, 'out'>> = {
  '--minutes': 'minutes',
  '--qps': 'qps',
  '--services': 'services',
  '--churn': 'churnPerSecond',
  '--sample-seconds': 'sampleSeconds',
  '--seed': 'seed',
};

/** Parses the flags; throws an Error naming the flag on anything unknown or out of range. */
export function parseSoakOptions(argv: string[]): SoakOptions {
  const options: SoakOptions = { ...DEFAULT_SOAK_OPTIONS };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--out') {
      if (value === undefined) throw new Error('--out needs a file');
      options.out = value;
      i++;
      continue;
    }
    const key = FLAGS[flag];
    if (!key) throw new Error(`unknown flag ${flag} (flags: --minutes, --qps, --services, --churn, --sample-seconds, --seed, --out)`);
    const number = Number(value);
    const [min, max] = LIMITS[key];
    if (value === undefined || !Number.isFinite(number) || number < min || number > max) {
      throw new Error(`${flag} must be a number from ${min} to ${max}, not ${value ?? 'nothing'}`);
    }
    options[key] = number;
    i++;
  }
  return options;
}
