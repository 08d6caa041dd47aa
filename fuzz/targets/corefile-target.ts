// Corefiles (src/corefile/): any text gives server settings or fails with a ClusterDnsError naming the file and
// a line it has, within a time bound; never another exception, never a hang (imports of itself included).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCorefileFile } from '../../src/corefile/corefile-parser.js';
import { corefileSettings } from '../../src/corefile/corefile-settings.js';
import { ErrorCodes } from '../../src/errors.js';
import { FuzzFailure, withinBudget } from '../fuzz-failure.js';
import type { Prng } from '../prng.js';
import { corefileSeeds } from '../text-corpus.js';
import { mutateText } from '../text-mutator.js';
import { checkConfigError } from './config-error-check.js';
import type { FuzzTarget } from './fuzz-target.js';

export const COREFILE_BUDGET_MS = 1000;

const IMPORT_LINES = ['import snippets.conf', 'import Corefile', 'import *.conf', 'import missing.conf', 'import shared', 'import common', '(shared) {\n cache\n}', '(loop) {\n import loop\n}\nimport loop'];

/** Environment for `{$VAR}` / `{env.VAR}`: fixed, so a run does not depend on the machine's. */
const ENV = { ZONE: 'cluster.local', UPSTREAM: '127.0.0.1:5300' };

interface CorefileInput {
  main: string;
  snippets: string;
}

export function corefileTarget(budgetMs = COREFILE_BUDGET_MS): FuzzTarget<CorefileInput> {
  const { seeds } = corefileSeeds();
  let dir = '';
  return {
    name: 'corefile',
    async setup() {
      dir = mkdtempSync(join(tmpdir(), 'clusterdns-fuzz-corefile-'));
    },
    generate(rng: Prng): CorefileInput {
      const main = mutateText(seeds, rng, IMPORT_LINES);
      return { main, snippets: rng.chance(0.3) ? mutateText(seeds, rng, IMPORT_LINES) : corefileSeeds().snippets };
    },
    check(input: CorefileInput) {
      checkCorefileText(dir, input.main, input.snippets, budgetMs);
    },
    format: (input: CorefileInput) => formatCorefileInput(input.main, input.snippets),
    async teardown() {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The properties of one Corefile (and the snippets file it may import); exported for the regression tests. */
export function checkCorefileText(dir: string, main: string, snippets: string, budgetMs = COREFILE_BUDGET_MS): void {
  const mainPath = join(dir, 'Corefile');
  const snippetsPath = join(dir, 'snippets.conf');
  writeFileSync(mainPath, main);
  writeFileSync(snippetsPath, snippets);
  const input = formatCorefileInput(main, snippets);
  const files = new Map([
    [mainPath, main],
    [snippetsPath, snippets],
  ]);
  withinBudget(
    budgetMs,
    () => {
      try {
        corefileSettings(parseCorefileFile(mainPath, { env: ENV }), { resolvConf: '/dev/null' });
      } catch (err) {
        // A Corefile with no server block at all has no line to point at.
        checkConfigError(err, files, input, (e) => e.code === ErrorCodes.COREFILE_SERVER_BLOCK && /no server block/.test(e.message));
      }
    },
    (ms) => {
      throw new FuzzFailure(`a Corefile parses or fails within ${budgetMs} ms`, `took ${ms.toFixed(0)} ms twice`, input);
    },
  );
}

function formatCorefileInput(main: string, snippets: string): string {
  return JSON.stringify(main) + (main.includes('.conf') ? ` with snippets.conf ${JSON.stringify(snippets)}` : '');
}
