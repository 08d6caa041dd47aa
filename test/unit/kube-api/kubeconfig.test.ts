import { mkdir, writeFile } from 'node:fs/promises';
import type { RequestOptions } from 'node:https';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KUBE_CONFIG_ERROR_CODE, resolveKubeConfig } from '../../../src/kube-api/kubeconfig.js';
import { kubeconfigYaml, tempDir, writeKubeconfig } from '../../helpers/api-emulator/index.js';

let dir: string;
let remove: () => Promise<void>;
/** A home directory without ~/.kube/config and no service account: nothing to find. */
let emptyHome: string;
let noServiceAccount: string;

beforeEach(async () => {
  ({ dir, remove } = await tempDir('clusterdns-kubeconfig-'));
  emptyHome = join(dir, 'home-empty');
  noServiceAccount = join(dir, 'no-sa');
  await mkdir(emptyHome);
});

afterEach(async () => {
  await remove();
});

async function serviceAccount(token = 'sa-token'): Promise<string> {
  const sa = join(dir, 'sa');
  await mkdir(sa, { recursive: true });
  await writeFile(join(sa, 'token'), token);
  await writeFile(join(sa, 'namespace'), 'kube-system');
  await writeFile(join(sa, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nnot checked here\n-----END CERTIFICATE-----\n');
  return sa;
}

function file(name: string, server: string, token = name): Promise<string> {
  return writeKubeconfig(dir, { contexts: [{ name, server, token }] }, `${name}.yaml`);
}

async function headersOf(resolved: ReturnType<typeof resolveKubeConfig>): Promise<Record<string, unknown>> {
  const opts: RequestOptions = {};
  await resolved.kubeConfig.applyToHTTPSOptions(opts);
  return opts.headers as Record<string, unknown>;
}

function expectKubeError(fn: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(Error);
  expect((caught as { code?: string }).code).toBe(KUBE_CONFIG_ERROR_CODE);
  expect((caught as Error).message).toMatch(message);
}

describe('resolveKubeConfig', () => {
  it('uses the --kubeconfig file first, even inside a pod and with $KUBECONFIG set', async () => {
    const flag = await file('flag', 'http://127.0.0.1:1');
    const env = await file('env', 'http://127.0.0.1:2');
    const sa = await serviceAccount();
    const r = resolveKubeConfig({
      kubeconfig: flag,
      env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', KUBECONFIG: env },
      serviceAccountDir: sa,
      homeDir: emptyHome,
    });
    expect(r).toMatchObject({ source: 'flag', files: [flag], context: 'flag', server: 'http://127.0.0.1:1' });
    expect(await headersOf(r)).toMatchObject({ Authorization: 'Bearer flag' });
  });

  it('fails for a --kubeconfig path that does not exist (no fallback)', () => {
    expectKubeError(
      () => resolveKubeConfig({ kubeconfig: join(dir, 'nope'), env: {}, homeDir: emptyHome, serviceAccountDir: noServiceAccount }),
      /--kubeconfig .*nope: no such file/,
    );
  });

  it('uses the in-cluster service account before $KUBECONFIG and ~/.kube/config', async () => {
    const env = await file('env', 'http://127.0.0.1:2');
    const sa = await serviceAccount('sa-secret');
    const r = resolveKubeConfig({
      env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', KUBECONFIG: env },
      serviceAccountDir: sa,
      homeDir: emptyHome,
    });
    expect(r).toMatchObject({ source: 'in-cluster', files: [], server: 'https://10.96.0.1:443' });
    expect(r.kubeConfig.getCurrentCluster()?.caFile).toBe(join(sa, 'ca.crt'));
    expect(r.kubeConfig.getContextObject(r.context)?.namespace).toBe('kube-system');
    expect(await headersOf(r)).toMatchObject({ Authorization: 'Bearer sa-secret' });
  });

  it('brackets an IPv6 service host', async () => {
    const sa = await serviceAccount();
    const r = resolveKubeConfig({
      env: { KUBERNETES_SERVICE_HOST: 'fd00:10:96::1', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountDir: sa,
      homeDir: emptyHome,
    });
    expect(r.server).toBe('https://[fd00:10:96::1]:443');
  });

  it('skips in-cluster when the token file is missing, and when --context asks for a kubeconfig context', async () => {
    const home = join(dir, 'home');
    await mkdir(join(home, '.kube'), { recursive: true });
    await writeFile(
      join(home, '.kube', 'config'),
      kubeconfigYaml({ contexts: [{ name: 'a', server: 'http://127.0.0.1:3' }, { name: 'b', server: 'http://127.0.0.1:4' }] }),
    );
    const noToken = resolveKubeConfig({
      env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountDir: noServiceAccount,
      homeDir: home,
    });
    expect(noToken).toMatchObject({ source: 'home', context: 'a', server: 'http://127.0.0.1:3' });

    const sa = await serviceAccount();
    const withContext = resolveKubeConfig({
      context: 'b',
      env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountDir: sa,
      homeDir: home,
    });
    expect(withContext).toMatchObject({ source: 'home', context: 'b', server: 'http://127.0.0.1:4' });
  });

  it('merges a $KUBECONFIG path list like kubectl: first definition and first current-context win', async () => {
    const one = await writeKubeconfig(
      dir,
      { contexts: [{ name: 'shared', server: 'http://127.0.0.1:5', token: 'one' }] },
      'one.yaml',
    );
    const two = await writeKubeconfig(
      dir,
      {
        contexts: [
          { name: 'shared', server: 'http://127.0.0.1:6', token: 'two' },
          { name: 'only-two', server: 'http://127.0.0.1:7', token: 'two-only' },
        ],
        currentContext: 'only-two',
      },
      'two.yaml',
    );
    const missing = join(dir, 'missing.yaml');
    const env = { KUBECONFIG: [missing, one, two].join(delimiter) };
    const r = resolveKubeConfig({ env, homeDir: emptyHome, serviceAccountDir: noServiceAccount });
    expect(r).toMatchObject({ source: 'KUBECONFIG', files: [one, two], context: 'shared', server: 'http://127.0.0.1:5' });
    expect(await headersOf(r)).toMatchObject({ Authorization: 'Bearer one' });
    const other = resolveKubeConfig({ env, context: 'only-two', homeDir: emptyHome, serviceAccountDir: noServiceAccount });
    expect(other.server).toBe('http://127.0.0.1:7');
  });

  it('fails when $KUBECONFIG names only missing files (no fallback to ~/.kube/config)', () => {
    expectKubeError(
      () =>
        resolveKubeConfig({ env: { KUBECONFIG: join(dir, 'a') }, homeDir: emptyHome, serviceAccountDir: noServiceAccount }),
      /\$KUBECONFIG names no existing file/,
    );
  });

  it('finds nothing → an error naming where it looked, never a localhost fallback', () => {
    expectKubeError(
      () => resolveKubeConfig({ env: {}, homeDir: emptyHome, serviceAccountDir: noServiceAccount }),
      /no Kubernetes credentials found; pass --kubeconfig FILE \(looked at: in-cluster .*\$KUBECONFIG \(unset\), .*home-empty\/\.kube\/config \(missing\)\)/,
    );
  });

  it('rejects an unknown --context, listing the contexts there are', async () => {
    const f = await file('only', 'http://127.0.0.1:1');
    expectKubeError(
      () => resolveKubeConfig({ kubeconfig: f, context: 'prod', env: {} }),
      /--context prod: no such context in .*only\.yaml \(contexts: only\)/,
    );
  });

  it('rejects a kubeconfig without a usable current-context', async () => {
    const f = join(dir, 'nocurrent.yaml');
    await writeFile(
      f,
      kubeconfigYaml({ contexts: [{ name: 'x', server: 'http://127.0.0.1:1' }] }).replace(/^current-context:.*$/m, ''),
    );
    expectKubeError(() => resolveKubeConfig({ kubeconfig: f, env: {} }), /no current-context; pass --context \(contexts: x\)/);
    const g = join(dir, 'dangling.yaml');
    await writeFile(
      g,
      kubeconfigYaml({ contexts: [{ name: 'x', server: 'http://127.0.0.1:1' }], currentContext: 'gone' }),
    );
    expectKubeError(() => resolveKubeConfig({ kubeconfig: g, env: {} }), /gone is not defined/);
  });

  it('rejects http:// without insecure-skip-tls-verify, and broken YAML', async () => {
    const f = join(dir, 'http.yaml');
    await writeFile(
      f,
      kubeconfigYaml({ contexts: [{ name: 'x', server: 'http://127.0.0.1:1' }] }).replace(
        /insecure-skip-tls-verify: true/,
        'insecure-skip-tls-verify: false',
      ),
    );
    expectKubeError(() => resolveKubeConfig({ kubeconfig: f, env: {} }), /uses http:\/\/.*insecure-skip-tls-verify: true/);
    const g = join(dir, 'broken.yaml');
    await writeFile(g, 'clusters: [\n  - {{{');
    expectKubeError(() => resolveKubeConfig({ kubeconfig: g, env: {} }), /not a valid kubeconfig/);
  });

  it('names the real line and column of a NUL byte, without js-yaml\'s wrong "(1:N)" position and excerpt', async () => {
    const f = join(dir, 'nul.yaml');
    const lines = kubeconfigYaml({ contexts: [{ name: 'x', server: 'https://127.0.0.1:1' }] }).split('\n');
    lines[3] = `${lines[3]}\0`; // line 4, just after its last character
    await writeFile(f, lines.join('\n'));
    const column = lines[3].length;
    let message = '';
    try {
      resolveKubeConfig({ kubeconfig: f, env: {} });
    } catch (err) {
      message = (err as Error).message;
      expect((err as { code?: string }).code).toBe(KUBE_CONFIG_ERROR_CODE);
    }
    expect(message).toBe(`${f}:4:${column}: not a valid kubeconfig: a NUL byte, which YAML text cannot hold (YAML 1.2 §5.1)`);
  });
});
