// Zone files (src/zonefile/): any text parses to a zone or fails with a ClusterDnsError naming the file and a
// line it has, within a time bound; never another exception, never a hang ($INCLUDE of itself included).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseZoneFile } from '../../src/zonefile/zone-file-parser.js';
import { FuzzFailure, withinBudgetAsync } from '../fuzz-failure.js';
import type { Prng } from '../prng.js';
import { zoneSeeds } from '../text-corpus.js';
import { mutateText } from '../text-mutator.js';
import { checkConfigError } from './config-error-check.js';
import type { FuzzTarget } from './fuzz-target.js';

/** A zone of a few kilobytes parses in well under a millisecond per record; this catches loops, not slowness. */
export const ZONEFILE_BUDGET_MS = 1000;

const INCLUDE_LINES = ['$INCLUDE fuzz.db', '$INCLUDE inc.db', '$INCLUDE inc.db sub', '$INCLUDE missing.db', '$INCLUDE /etc/hostname', '$INCLUDE ../outside.db', '$INCLUDE "inc.db" @'];

interface ZoneInput {
  main: string;
  included: string;
}

export function zonefileTarget(budgetMs = ZONEFILE_BUDGET_MS): FuzzTarget<ZoneInput> {
  const { seeds } = zoneSeeds();
  let dir = '';
  return {
    name: 'zonefile',
    async setup() {
      dir = mkdtempSync(join(tmpdir(), 'clusterdns-fuzz-zones-'));
    },
    generate(rng: Prng): ZoneInput {
      const main = mutateText(seeds, rng, INCLUDE_LINES);
      return { main, included: rng.chance(0.3) ? mutateText(seeds, rng, INCLUDE_LINES) : zoneSeeds().included };
    },
    check(input: ZoneInput) {
      return checkZoneText(dir, input.main, input.included, budgetMs);
    },
    format: (input: ZoneInput) => formatZoneInput(input.main, input.included),
    async teardown() {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The properties of one zone file (and the file it may $INCLUDE); exported for the regression tests. */
export async function checkZoneText(dir: string, main: string, included: string, budgetMs = ZONEFILE_BUDGET_MS): Promise<void> {
  const mainPath = join(dir, 'fuzz.db');
  const includedPath = join(dir, 'inc.db');
  writeFileSync(mainPath, main);
  writeFileSync(includedPath, included);
  const input = formatZoneInput(main, included);
  const files = new Map([
    [mainPath, main],
    [includedPath, included],
  ]);
  await withinBudgetAsync(
    budgetMs,
    async () => {
      try {
        await parseZoneFile(mainPath, { zonesDir: dir, defaultOrigin: 'fuzz.test' });
      } catch (err) {
        // A missing file names the $INCLUDE line that asked for it.
        checkConfigError(err, files, input);
      }
    },
    (ms) => {
      throw new FuzzFailure(`a zone file parses or fails within ${budgetMs} ms`, `took ${ms.toFixed(0)} ms twice`, input);
    },
  );
}

function formatZoneInput(main: string, included: string): string {
  return JSON.stringify(main) + (main.includes('inc.db') ? ` with inc.db ${JSON.stringify(included)}` : '');
}
