// `npm run fuzz -- --iterations N [--seed S] [--target codec|zonefile|corefile|server|all] [--minutes M] [--from I]`
// Exits 1 on the first failure of any target, after printing the seed, iteration and input that reproduce it.
import { formatFailure } from './run-fuzz.js';
import { runWatched } from './watchdog.js';
import { TARGET_NAMES, type TargetName } from './targets/fuzz-target.js';

/** An iteration running this long has hung: the slowest (a server batch) waits at most a few seconds. */
const HANG_MS = 30_000;

interface CliOptions {
  iterations: number;
  seed: number;
  targets: TargetName[];
  minutes: number | null;
  from: number;
}

function usage(problem: string): never {
  console.error(`fuzz: ${problem}\nusage: npm run fuzz -- --iterations N [--seed S] [--target ${TARGET_NAMES.join('|')}|all] [--minutes M] [--from I]`);
  process.exit(2);
}

function parseArgs(argv: string[]): CliOptions {
  const options: CliOptions = { iterations: 10_000, seed: Date.now() % 0x100000000, targets: [...TARGET_NAMES], minutes: null, from: 0 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) usage(`${flag} needs a value`);
    i++;
    const number = Number(value);
    switch (flag) {
      case '--iterations':
        if (!Number.isInteger(number) || number < 1) usage(`--iterations ${value}: not a positive integer`);
        options.iterations = number;
        break;
      case '--seed':
        if (!Number.isInteger(number) || number < 0 || number > 0xffffffff) usage(`--seed ${value}: not an integer 0..4294967295`);
        options.seed = number;
        break;
      case '--from':
        if (!Number.isInteger(number) || number < 0) usage(`--from ${value}: not a non-negative integer`);
        options.from = number;
        break;
      case '--minutes':
        if (!(number > 0)) usage(`--minutes ${value}: not a positive number`);
        options.minutes = number;
        break;
      case '--target':
        if (value === 'all') options.targets = [...TARGET_NAMES];
        else if ((TARGET_NAMES as readonly string[]).includes(value)) options.targets = [value as TargetName];
        else usage(`--target ${value}: not one of ${TARGET_NAMES.join(', ')}, all`);
        break;
      default:
        usage(`unknown option ${flag}`);
    }
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
let failed = false;
for (const target of options.targets) {
  console.log(`${target}: seed ${options.seed}, iterations ${options.from}..${options.from + options.iterations - 1}${options.minutes ? `, at most ${options.minutes} min` : ''}`);
  const result = await runWatched(
    {
      target,
      iterations: options.iterations,
      seed: options.seed,
      from: options.from,
      timeLimitMs: options.minutes === null ? undefined : options.minutes * 60_000,
    },
    HANG_MS,
    (line) => console.log(line),
  );
  console.log(`${target}: ${result.clean} iterations clean in ${(result.elapsedMs / 1000).toFixed(1)} s (seed ${result.seed})`);
  if (result.failure) {
    console.log(formatFailure(result.failure));
    failed = true;
    break;
  }
}
process.exit(failed ? 1 : 0);
