// `clusterdns explain` end to end: the built CLI on the bundled example, offline and against a running server.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Explanation } from '../../src/explain/explanation.js';
import { ApiEmulator, endpointSlice, namespace, service, tempDir, writeKubeconfig } from '../helpers/api-emulator/index.js';
import { CLI, startCli } from '../helpers/spawn-cli.js';

const run = promisify(execFile);
const EXAMPLE = fileURLToPath(new URL('../../examples/cluster.yaml', import.meta.url));

async function explain(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, 'explain', ...args], { timeout: 45_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// Each case spawns the CLI (a whole server start) once or more: on a loaded 2-core machine that takes seconds.
describe('clusterdns explain', { timeout: 90_000 }, () => {
  it('prints a ready name as dig would, each record followed by its object and spec rule', async () => {
    const { code, stdout } = await explain('hello.default.svc.cluster.local', '--manifest', EXAMPLE);
    expect(code).toBe(0);
    expect(stdout).toContain(';; ->>HEADER<<- status: NOERROR');
    expect(stdout).toContain('hello.default.svc.cluster.local. 5 IN A 10.96.0.20\n;;   from Service/default/hello: Kubernetes DNS spec 1.1.0 §2.3.1');
  });

  it('says which pod is not ready behind an NXDOMAIN, and the closest name that exists', async () => {
    const { stdout } = await explain('nginx-2.nginx.default.svc.cluster.local', '--manifest', EXAMPLE);
    expect(stdout).toContain('status: NXDOMAIN');
    expect(stdout).toContain(';; closest name that exists: nginx.default.svc.cluster.local.');
    expect(stdout).toMatch(/endpoint-not-ready: pod default\/nginx-2 \(10\.244\.1\.12, hostname nginx-2\) in EndpointSlice nginx-m4q8w is not published: conditions\.ready is false/);
  });

  it('--json prints one object with the stable reason codes', async () => {
    const { code, stdout } = await explain('hello.shop.svc.cluster.local', 'A', '--manifest', EXAMPLE, '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as Explanation;
    expect(result.question).toEqual({ name: 'hello.shop.svc.cluster.local', type: 'A' });
    expect(result.rcode).toBe('NXDOMAIN');
    expect(result.reasons).toEqual([
      { code: 'no-such-service', message: expect.stringMatching(/exists in namespace default/), object: { kind: 'Service', namespace: 'shop', name: 'hello' } },
    ]);
  });

  it('--from-pod prints the pod\'s resolv.conf and every query of its walk', async () => {
    const { stdout } = await explain('api.example.com', '--from-pod', 'shop/cart-7f9c8d5b6-wp4ds', '--manifest', EXAMPLE);
    expect(stdout).toContain(';;   search shop.svc.cluster.local svc.cluster.local cluster.local');
    expect(stdout).toContain(';;   options ndots:5');
    expect(stdout).toContain(';;    1. api.example.com.shop.svc.cluster.local. A -> NXDOMAIN');
    expect(stdout).toContain(';;    8. api.example.com. AAAA -> REFUSED');
    expect(stdout).toMatch(/zone-not-served: api\.example\.com is in none of the zones served here/);
  });

  it('--server asks a running clusterdns over HTTP and prints the same explanation', async () => {
    const server = await startCli(['--manifest', EXAMPLE, '--metrics', '127.0.0.1:0', '--log-level', 'info']);
    try {
      const line = await server.waitForLog((entry) => entry.msg === 'http listening' && entry.endpoint === '/metrics');
      const [remote, local] = await Promise.all([
        explain('nginx.default.svc.cluster.local', '--server', `http://${String(line.address)}`, '--json'),
        explain('nginx.default.svc.cluster.local', '--manifest', EXAMPLE, '--json'),
      ]);
      expect(remote.code).toBe(0);
      const strip = (text: string) => JSON.parse(text) as Explanation;
      expect(strip(remote.stdout)).toEqual(strip(local.stdout));
      expect(strip(remote.stdout).reasons.map((r) => r.code)).toEqual(['endpoint-not-ready']);
    } finally {
      await server.stop();
    }
  });

  it('--kubeconfig explains from the live cluster (the API server emulator): the not-ready endpoint of a headless Service', async () => {
    const token = 'explain-token';
    const emu = await new ApiEmulator({ token }).start();
    const dir = await tempDir();
    try {
      emu.applyAll([
        namespace('default'),
        service('default', 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }),
        endpointSlice('default', 'db-1', 'db', {
          endpoints: [{ addresses: ['10.244.0.5'], hostname: 'db-0' }, { addresses: ['10.244.0.6'], hostname: 'db-1', ready: false }],
          ports: [{ name: 'pg', port: 5432 }],
        }),
      ]);
      const kubeconfig = await writeKubeconfig(dir.dir, { contexts: [{ name: 'emulator', server: emu.url, token }] });
      const { code, stdout } = await explain('db-1.db.default.svc.cluster.local', '--kubeconfig', kubeconfig, '--json');
      expect(code).toBe(0);
      const result = JSON.parse(stdout) as Explanation;
      expect(result.rcode).toBe('NXDOMAIN');
      expect(result.reasons).toEqual([
        { code: 'endpoint-not-ready', message: expect.stringMatching(/^pod default\/db-1 \(10\.244\.0\.6, hostname db-1\)/), object: { kind: 'Pod', namespace: 'default', name: 'db-1' } },
      ]);
    } finally {
      await emu.close();
      await dir.remove();
    }
  });

  it('exits 2 on a bad command line: no source, two sources, no name', async () => {
    for (const args of [['hello'], ['hello', '--manifest', EXAMPLE, '--server', 'http://127.0.0.1:1'], ['--manifest', EXAMPLE]]) {
      const { code, stderr } = await explain(...args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toContain('Usage: clusterdns explain');
    }
  });

  it('exits 1 when --server cannot be reached', async () => {
    const { code, stderr } = await explain('hello', '--server', 'http://127.0.0.1:1');
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot be reached/);
  });
});
