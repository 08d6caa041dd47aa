// Where the repository is, from the source tree (vitest) and from the compiled copy in dist-bench/ alike:
// the nearest folder above this file that holds package.json.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(start: string): string {
  let dir = start;
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`no package.json above ${start}`);
}

export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
export const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');
export const CLI_PATH = join(REPO_ROOT, 'dist', 'cli', 'main.js');
/** The executable users run: its shebang carries the Node flags the bench must start CLI_PATH with. */
export const BIN_PATH = join(REPO_ROOT, 'dist', 'cli', 'bin.js');
export const CEILING_PROBE_PATH = join(REPO_ROOT, 'bench', 'ceiling-probe.mjs');

/** A path under the repository written relative to it, for the report. */
export const relativeToRoot = (path: string): string => (path.startsWith(`${REPO_ROOT}/`) ? path.slice(REPO_ROOT.length + 1) : path);
/** The watch bench (bench/watch/watch-bench.ts), compiled beside this folder by `tsc -p tsconfig.bench.json`. */
export const WATCH_BENCH_PATH = join(REPO_ROOT, 'dist-bench', 'bench', 'watch', 'watch-bench.js');
