// `--install`: apt-get install the missing packages, as root, with the packaged services kept from starting
// (Debian's invoke-rc.d asks /usr/sbin/policy-rc.d; exit 101 = do not start), so nothing binds port 53.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { findBinary } from './prerequisites.js';

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

function aptGet(args: string[], timeoutMs: number): { ok: boolean; out: string } {
  const r = spawnSync('apt-get', args, { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Installs `packages`; returns false (having logged why) when it could not. */
export function installPackages(packages: readonly string[], log: (line: string) => void): boolean {
  if (packages.length === 0) return true;
  if (process.getuid?.() !== 0) {
    log(`setup: --install needs root to apt-get install ${packages.join(' ')}`);
    return false;
  }
  if (!findBinary('apt-get')) {
    log(`setup: --install needs apt-get to install ${packages.join(' ')}`);
    return false;
  }
  log(`setup: installing ${packages.join(' ')} (apt-get; packaged services are kept from starting via policy-rc.d)`);
  const addedPolicy = !existsSync(POLICY_RC_D);
  if (addedPolicy) writeFileSync(POLICY_RC_D, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const install = ['install', '-y', '--no-install-recommends', ...packages];
    let r = aptGet(install, 300_000);
    if (!r.ok) {
      aptGet(['update'], 180_000);
      r = aptGet(install, 300_000);
    }
    if (!r.ok) log(`setup: apt-get install failed (${r.out.trim().split('\n').pop()})`);
    return r.ok;
  } finally {
    if (addedPolicy) rmSync(POLICY_RC_D, { force: true });
  }
}
