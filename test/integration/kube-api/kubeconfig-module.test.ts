// The CLI loads client-node's KubeConfig without the generated API clients (src/kube-api/kube-config-module.ts).
// These tests run the built modules in fresh node processes: which modules load, and that every kind of
// credential comes out exactly as client-node's own KubeConfig gives it; then the CLI end to end with an exec
// credential plugin against the API server emulator.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rewriteConfigImports } from '../../../src/kube-api/kube-config-module.js';
import { ApiEmulator, namespace, service, tempDir } from '../../helpers/api-emulator/index.js';
import { dig } from '../../helpers/dig.js';
import { startCli } from '../../helpers/spawn-cli.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./fixtures/kubeconfig-child.mjs', import.meta.url));

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => {
  ({ dir, remove } = await tempDir('clusterdns-kubeconfig-module-'));
});
afterEach(async () => {
  await remove();
});

type Summary = Record<string, unknown>;

/** What each kubeconfig's credentials set, in one fresh process. */
async function child(mode: 'narrow' | 'full', kubeconfigs: string[], env: NodeJS.ProcessEnv = {}): Promise<Summary[]> {
  const { stdout } = await run(process.execPath, [CHILD, mode, ...kubeconfigs], { env: { ...process.env, ...env }, timeout: 30_000 });
  return stdout.trim().split('\n').map((line) => JSON.parse(line) as Summary);
}

/** A kubeconfig (JSON is YAML) with one context whose user is `user`. */
async function kubeconfigWith(name: string, user: Record<string, unknown>, cluster: Record<string, unknown> = {}): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'ctx',
  };
  await writeFile(file, JSON.stringify(config));
  return file;
}

/** An exec credential plugin (client.authentication.k8s.io/v1) that prints `token`. */
async function execPlugin(token: string): Promise<Record<string, unknown>> {
  const script = join(dir, `exec-plugin-${token}.mjs`);
  const credential = { apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token } };
  await writeFile(script, `process.stdout.write(${JSON.stringify(JSON.stringify(credential))});\n`);
  return { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [script], interactiveMode: 'Never' } };
}

const pem = (label: string, body: string): string => `-----BEGIN ${label}-----\n${Buffer.from(body).toString('base64')}\n-----END ${label}-----\n`;
const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('KubeConfig without the generated API clients', () => {
  it('loads none of client-node’s generated models or APIs, while the library’s KubeConfig loads them all', async () => {
    const kubeconfig = await kubeconfigWith('token', { token: 'tok' });
    const narrowLog = join(dir, 'narrow.txt');
    const fullLog = join(dir, 'full.txt');
    const [[narrow]] = await Promise.all([child('narrow', [kubeconfig], { RECORD_RESOLVED: narrowLog }), child('full', [kubeconfig], { RECORD_RESOLVED: fullLog })]);
    const generated = (log: string[]) => log.filter((url) => url.includes('/@kubernetes/client-node/dist/gen/'));
    const narrowGenerated = generated((await readFile(narrowLog, 'utf8')).trim().split('\n'));
    const fullGenerated = generated((await readFile(fullLog, 'utf8')).trim().split('\n'));

    expect(narrow.narrow).toBe(true);
    expect(narrow.headers).toEqual({ Authorization: 'Bearer tok' });
    // createConfiguration and ServerConfiguration's own modules, and nothing of gen/index.js, models/ or apis/.
    expect(new Set(narrowGenerated).size).toBeLessThanOrEqual(8);
    expect(narrowGenerated.filter((url) => /\/gen\/(index\.js|models\/|apis\/|types\/)/.test(url))).toEqual([]);
    expect(new Set(fullGenerated).size).toBeGreaterThan(700);
  }, 60_000);

  it('sets the same request options as client-node’s own KubeConfig for a token, client certificate, exec plugin, token file, proxy and insecure-skip-tls-verify', async () => {
    const tokenFile = join(dir, 'sa-token');
    await writeFile(tokenFile, 'file-token');
    const ca = pem('CERTIFICATE', 'ca');
    const users: Array<[string, Record<string, unknown>, Record<string, unknown>?]> = [
      ['token', { token: 'plain-token' }],
      ['client-certificate', { 'client-certificate-data': b64(pem('CERTIFICATE', 'client')), 'client-key-data': b64(pem('PRIVATE KEY', 'key')) }, { 'certificate-authority-data': b64(ca), 'tls-server-name': 'api.internal' }],
      ['exec', await execPlugin('exec-token')],
      ['token-file', { 'auth-provider': { name: 'tokenFile', config: { tokenFile } } }],
      ['proxy', { token: 'proxied' }, { 'proxy-url': 'http://127.0.0.1:3128' }],
      ['insecure', { token: 'insecure-token' }, { 'insecure-skip-tls-verify': true }],
    ];
    const files = await Promise.all(users.map(([name, user, cluster]) => kubeconfigWith(name, user, cluster)));
    const [narrow, full] = await Promise.all([child('narrow', files), child('full', files)]);
    const byName = new Map<string, Summary>();
    users.forEach(([name], i) => {
      const { narrow: isNarrow, ...options } = narrow[i];
      expect(isNarrow, name).toBe(true);
      expect(options, name).toEqual(full[i]);
      byName.set(name, options);
    });
    // The comparison is only worth something if the credentials were really applied.
    expect(byName.get('exec')).toMatchObject({ headers: { Authorization: 'Bearer exec-token' }, fetchAuthorization: 'Bearer exec-token' });
    expect(byName.get('token-file')).toMatchObject({ headers: { Authorization: 'Bearer file-token' } });
    expect(byName.get('client-certificate')).toMatchObject({ ca, cert: pem('CERTIFICATE', 'client'), servername: 'api.internal' });
    expect(byName.get('proxy')).toMatchObject({ agent: 'HttpsProxyAgent' });
    expect(byName.get('insecure')).toMatchObject({ rejectUnauthorized: false, headers: { Authorization: 'Bearer insecure-token' } });
  }, 60_000);

  it('falls back to the package’s own module when config.js’s imports are not the expected ones', () => {
    const targets = { configUrl: 'file:///pkg/dist/config.js', generatedShimUrl: 'file:///shim.js', resolveBare: (s: string) => `file:///nm/${s}/index.js` };
    expect(() => rewriteConfigImports("import fs from 'node:fs';\nimport { x } from './gen/index.js';\n", targets)).toThrow(/imports are not client-node 1\.4\.0's/);
    expect(() => rewriteConfigImports('export class KubeConfig {}\n', targets)).toThrow(/imports are not/);
  });

  it('the CLI syncs through an exec credential plugin and answers with real dig', async () => {
    const emu = await new ApiEmulator({ token: 'from-exec' }).start();
    try {
      emu.applyAll([namespace('default'), service('default', 'hello', { clusterIP: '10.96.0.31', ports: [{ name: 'http', port: 80 }] })]);
      const kubeconfig = await kubeconfigWith('exec-cli', await execPlugin('from-exec'), { server: emu.url, 'insecure-skip-tls-verify': true });
      const cli = await startCli(['--kubeconfig', kubeconfig], 20_000);
      try {
        await cli.waitForLog((entry) => entry.msg === 'synced with the Kubernetes API', 20_000);
        const answer = await dig(cli.port, 'hello.default.svc.cluster.local');
        expect(answer.answer).toEqual(['hello.default.svc.cluster.local. 5 IN A 10.96.0.31']);
      } finally {
        expect(await cli.stop()).toBe(0);
      }
    } finally {
      await emu.close();
    }
  }, 60_000);
});
