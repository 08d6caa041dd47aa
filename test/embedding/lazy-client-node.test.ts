// @kubernetes/client-node is loaded only for the Kubernetes API source: importing it costs ≈ 66 MiB of RSS
// and ≈ 0.3 s (docs/benchmarks.md "Memory and startup"), which a test suite serving declared objects and a
// server serving a snapshot should not pay. A module resolve hook (node:module register) records every
// import of it in a child process running the built package (dist/).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

// Prints "client-node imported" on stderr whenever anything resolves the package.
const HOOKS = `export async function resolve(specifier, context, next) {
  if (specifier === '@kubernetes/client-node' || specifier.startsWith('@kubernetes/client-node/')) process.stderr.write('client-node imported\\n');
  return next(specifier, context);
}`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`;

function runWithHook(script: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe('@kubernetes/client-node is imported only for the API source', () => {
  it('the embedding API serving declared objects never imports it', () => {
    const r = runWithHook(`
      import { startClusterDns } from './dist/index.js';
      import { service } from './dist/testing/index.js';
      const dns = await startClusterDns({ objects: [service('web', 'default', { clusterIP: '10.96.0.9' })] });
      console.log((await dns.resolver().resolve4('web.default.svc.cluster.local')).join(','));
      await dns.close();
    `);
    expect(r.stderr).not.toContain('client-node imported');
    expect(r.stdout.trim()).toBe('10.96.0.9');
    expect(r.status).toBe(0);
  });

  it('the hook does see it when a kubeconfig is given (the check can fail)', () => {
    const r = runWithHook(`
      import { startClusterDns } from './dist/index.js';
      await startClusterDns({ kubeconfig: '/nonexistent/kubeconfig' }).catch((err) => console.log(err.code));
    `);
    expect(r.stderr).toContain('client-node imported');
    expect(r.stdout.trim()).toBe('CLUSTERDNS_ERR_KUBE_CONFIG');
  });
});
