// Before measuring: the required tools (an error naming their packages), the reference servers (a target
// whose server is missing is skipped with a line that says which package), optional installation
// (--install), the built CLI, and whether clusterdns-cache can run (`serve --upstream`).
import { existsSync } from 'node:fs';
import os from 'node:os';
import { installPackages } from './install-packages.js';
import type { BenchOptions } from './options.js';
import { CLI_PATH } from './paths.js';
import { APT_PACKAGE, findBinary, missingRequiredMessage, missingServerReason, REQUIRED_TOOLS, toolOfTarget, toolsFor } from './prerequisites.js';
import { isClusterdns } from './targets.js';
import type { Target } from './types.js';
import { upstreamUnsupportedReason } from './upstream-support.js';

export interface Setup {
  /** The targets that will be measured (or, for clusterdns-cache, reported as unavailable). */
  targets: Target[];
  /** Why clusterdns-cache cannot run, or null. */
  forwardCacheUnavailable: string | null;
}

export function checkSetup(options: BenchOptions, log: (line: string) => void): Setup {
  const missing = () => toolsFor(options.targets).filter((tool) => !findBinary(tool));
  if (options.install && missing().length > 0) installPackages([...new Set(missing().map((tool) => APT_PACKAGE[tool]))], log);
  const missingRequired = REQUIRED_TOOLS.filter((tool) => !findBinary(tool));
  if (missingRequired.length > 0) throw new Error(missingRequiredMessage(missingRequired));

  let targets = [...options.targets];
  let forwardCacheUnavailable: string | null = null;
  for (const target of options.targets) {
    const tool = toolOfTarget(target);
    if (!tool || findBinary(tool)) continue;
    if (target === 'clusterdns-cache') forwardCacheUnavailable = missingServerReason(target, tool);
    else {
      log(`setup: SKIP ${target}: ${missingServerReason(target, tool)}`);
      targets = targets.filter((t) => t !== target);
    }
  }
  if (targets.some(isClusterdns) && !existsSync(CLI_PATH)) {
    log('setup: SKIP clusterdns: dist/cli/main.js missing (run npm run build)');
    targets = targets.filter((t) => !isClusterdns(t));
  }
  if (targets.includes('clusterdns-cache')) {
    forwardCacheUnavailable ??= upstreamUnsupportedReason();
    if (forwardCacheUnavailable) log(`setup: clusterdns-cache unavailable: ${forwardCacheUnavailable}`);
  }
  if (os.cpus().length < 2) log('setup: WARNING fewer than 2 CPUs: dnsperf and the server share a core, figures are not comparable');
  return { targets, forwardCacheUnavailable };
}
