// Names resolved the way a pod resolves them: glibc's stub resolver (`getent`), a pod's resolv.conf (its
// namespace's search list, ndots:5), clusterdns on port 53, in a network namespace of the test's own
// (`unshare -n -m`, which needs root) where only loopback exists. glibc does not chase a CNAME itself, so an
// ExternalName or a forwarded alias resolves only when the server puts the target's address in the answer.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/spawn-cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const runner = fileURLToPath(new URL('../helpers/pod-namespace/resolve-as-pod.mjs', import.meta.url));

/** Whether this machine lets us make a network and mount namespace (root, unshare, ip, getent). */
function namespacesAvailable(): boolean {
  try {
    execFileSync('unshare', ['-n', '-m', 'true'], { stdio: 'ignore' });
    execFileSync('getent', ['--version'], { stdio: 'ignore' });
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.runIf(namespacesAvailable())('a pod’s resolver (glibc getent, ndots:5) against clusterdns on port 53', () => {
  const NAMES = ['hello', 'hello.default', 'cart.shop', 'database-service', 'api.example.internal', 'www.example.com', 'payments-gw.example.com', 'nope.example.com'];
  let results: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clusterdns-pod-'));
    const resolvConf = join(dir, 'resolv.conf');
    // What the kubelet writes for a pod in `default` with dnsPolicy ClusterFirst.
    writeFileSync(resolvConf, 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 127.0.0.1\noptions ndots:5\n');
    const { stdout } = await promisify(execFile)('unshare', ['-n', '-m', process.execPath, runner, CLI, resolvConf, root, ...NAMES], { timeout: 60_000 });
    results = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, string>;
  }, 90_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The addresses getent printed, one line each (`getent hosts`: gethostbyname2; `ahosts` would add AI_ADDRCONFIG, which finds no address in a namespace with only loopback). */
  const addresses = (name: string) => [...new Set(results[name].split('\n').map((line) => line.split(/\s+/)[0]).filter((a) => /^\d/.test(a)))];

  it('a Service by its short name, through the search list', () => {
    expect(addresses('hello')).toEqual(['10.96.0.20']);
    expect(addresses('hello.default')).toEqual(['10.96.0.20']);
    expect(addresses('cart.shop')).toEqual(['10.96.0.50']);
  });

  it('an ExternalName Service: the CNAME and its forwarded target’s address in one answer', () => {
    expect(results['database-service']).toContain('my.database.example.com');
    expect(addresses('database-service')).toEqual(['192.0.2.50']);
  });

  it('a name from the zone files that points into the cluster', () => {
    expect(addresses('api.example.internal')).toEqual(['10.96.0.20']);
  });

  it('outside names through forwarding, after the search list’s NXDOMAINs', () => {
    // `getent hosts` asks AAAA first (gethostbyname2 AF_INET6) and the stand-in upstream has one.
    expect(addresses('www.example.com')).toEqual(['2001:db8::100']);
    expect(addresses('payments-gw.example.com')).toEqual(['2001:db8::100']);
    expect(results['nope.example.com']).toBe('exit 2');
  });
});
