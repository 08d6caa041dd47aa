// Whether the built CLI can forward (`serve --upstream`): clusterdns-cache is measured only then, and
// otherwise reported as unavailable with this reason, while the rest of the bench goes on.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLI_PATH, relativeToRoot } from './paths.js';

/** Does `serve --help` list the flag (at the start of a line of the flag list)? */
export function helpListsFlag(help: string, flag: string): boolean {
  return new RegExp(`^\\s+${flag}(\\s|=|$)`, 'm').test(help);
}

/** null when `serve --upstream` is there; otherwise why clusterdns-cache cannot be measured. */
export function upstreamUnsupportedReason(cli = CLI_PATH): string | null {
  if (!existsSync(cli)) return `${relativeToRoot(cli)} is missing (npm run build)`;
  const r = spawnSync(process.execPath, [cli, 'serve', '--help'], { encoding: 'utf8', timeout: 30_000 });
  const help = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return helpListsFlag(help, '--upstream') ? null : `the built CLI has no --upstream flag (\`node ${relativeToRoot(cli)} serve --help\` does not list it)`;
}
