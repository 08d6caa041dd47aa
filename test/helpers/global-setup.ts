// vitest globalSetup: the end-to-end tests run the built CLI (dist/), so build it once before any test
// runs when it is missing or older than the sources. `npm test` builds first, so there this is a no-op; it
// keeps `npx vitest run test/e2e` from silently testing a stale build.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** True when dist/cli/main.js is missing or older than some file under src/. */
export function buildIsStale(): boolean {
  const cli = join(root, 'dist', 'cli', 'main.js');
  return !existsSync(cli) || statSync(cli).mtimeMs < newestSource(join(root, 'src'));
}

export default function setup(): void {
  if (!buildIsStale()) return;
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  // The CommonJS build of the public entry points (the package's `require` export), as `npm run build` makes it.
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.cjs.json')], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'scripts', 'write-cjs-package-json.mjs')], { cwd: root, stdio: 'inherit' });
}
