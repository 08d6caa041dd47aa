// Where clusterdns finds its Kubernetes credentials, chosen explicitly (client-node's
// loadFromDefault() silently falls back to http://localhost:8080; docs/architecture.md "Kubernetes API client"):
//
//   1. the --kubeconfig path, when given (it must exist);
//   2. the in-cluster service account: $KUBERNETES_SERVICE_HOST set and the token file present
//      (skipped when --context is given: a context only exists in a kubeconfig file);
//   3. $KUBECONFIG: a path list (':' on Unix), files merged as kubectl merges them (first one wins);
//   4. ~/.kube/config.
//   None → an error with code CLUSTERDNS_ERR_KUBE_CONFIG naming every place looked at.
//
// --context picks a context of the file(s); otherwise current-context must name one.
//
// The KubeConfig class is a parameter: the library passes client-node's own (kubeconfig.ts), the CLI the one
// loaded without the generated API clients (kube-config-module.ts), so this file imports only types.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { isIPv6 } from 'node:net';
import type { Cluster, Context, KubeConfig, User } from '@kubernetes/client-node';

/** client-node's KubeConfig class (a constructor with no arguments). */
export type KubeConfigClass = new () => KubeConfig;

/** Stable error code; to be moved into src/errors.ts's registry. */
export const KUBE_CONFIG_ERROR_CODE = 'CLUSTERDNS_ERR_KUBE_CONFIG';

export interface KubeConfigError extends Error {
  code: typeof KUBE_CONFIG_ERROR_CODE;
}

export function kubeConfigError(message: string, cause?: unknown): KubeConfigError {
  const err = new Error(message, cause === undefined ? undefined : { cause }) as KubeConfigError;
  err.name = 'ClusterDnsError';
  err.code = KUBE_CONFIG_ERROR_CODE;
  return err;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConfigResolveOptions {
  /** --kubeconfig: a file path (taken as is; no path list). */
  kubeconfig?: string;
  /** --context: a context name in the kubeconfig. */
  context?: string;
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Defaults to os.homedir(). */
  homeDir?: string;
  /** Defaults to /var/run/secrets/kubernetes.io/serviceaccount. */
  serviceAccountDir?: string;
  /** How errors name the two settings: the CLI flags by default, the option names when embedding. */
  names?: { kubeconfig: string; context: string };
}

export type KubeConfigSource = 'flag' | 'in-cluster' | 'KUBECONFIG' | 'home';

export interface ResolvedKubeConfig {
  kubeConfig: KubeConfig;
  source: KubeConfigSource;
  /** The file(s) read; empty for in-cluster. */
  files: string[];
  context: string;
  /** The API server URL. */
  server: string;
}

/** Resolve credentials as described at the top of this file. Throws a CLUSTERDNS_ERR_KUBE_CONFIG error. */
export function resolveKubeConfigWith(KubeConfigImpl: KubeConfigClass, options: KubeConfigResolveOptions = {}): ResolvedKubeConfig {
  const env = options.env ?? process.env;
  const looked: string[] = [];
  const names = options.names ?? { kubeconfig: '--kubeconfig', context: '--context' };

  if (options.kubeconfig !== undefined && options.kubeconfig !== '') {
    if (!existsSync(options.kubeconfig)) {
      throw kubeConfigError(`${names.kubeconfig} ${options.kubeconfig}: no such file`);
    }
    return finish(loadFiles(KubeConfigImpl, [options.kubeconfig]), 'flag', [options.kubeconfig], options.context, names.context);
  }

  const saDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (options.context === undefined) {
    const host = env.KUBERNETES_SERVICE_HOST;
    const tokenFile = join(saDir, 'token');
    if (host && existsSync(tokenFile)) {
      return finish(inCluster(KubeConfigImpl, host, env.KUBERNETES_SERVICE_PORT, saDir), 'in-cluster', [], undefined, names.context);
    }
    looked.push(host ? `service account token ${tokenFile} (missing)` : 'in-cluster ($KUBERNETES_SERVICE_HOST unset)');
  }

  const list = env.KUBECONFIG;
  if (list !== undefined && list !== '') {
    const files = list.split(delimiter).filter((f) => f !== '');
    const present = files.filter((f) => existsSync(f));
    if (present.length === 0) {
      throw kubeConfigError(`$KUBECONFIG names no existing file (${files.join(delimiter)})`);
    }
    return finish(loadFiles(KubeConfigImpl, present), 'KUBECONFIG', present, options.context, names.context);
  }
  looked.push('$KUBECONFIG (unset)');

  const home = options.homeDir ?? homedir();
  const homeFile = join(home, '.kube', 'config');
  if (home && existsSync(homeFile)) {
    return finish(loadFiles(KubeConfigImpl, [homeFile]), 'home', [homeFile], options.context, names.context);
  }
  looked.push(`${homeFile} (missing)`);

  throw kubeConfigError(
    `no Kubernetes credentials found; pass ${names.kubeconfig} FILE (looked at: ${looked.join(', ')})`,
  );
}

/** kubectl's merge: the first file to define a name (or current-context) wins. */
function loadFiles(KubeConfigImpl: KubeConfigClass, files: string[]): KubeConfig {
  const clusters: Cluster[] = [];
  const users: User[] = [];
  const contexts: Context[] = [];
  let currentContext = '';
  for (const file of files) {
    const one = new KubeConfigImpl();
    try {
      one.loadFromFile(file);
    } catch (err) {
      const nul = nulByteAt(file, err);
      if (nul !== null) {
        throw kubeConfigError(`${file}:${nul.line}:${nul.column}: not a valid kubeconfig: a NUL byte, which YAML text cannot hold (YAML 1.2 §5.1)`, err);
      }
      throw kubeConfigError(`${file}: not a valid kubeconfig: ${(err as Error).message}`, err);
    }
    for (const c of one.getClusters()) if (!clusters.some((x) => x.name === c.name)) clusters.push(c);
    for (const u of one.getUsers()) if (!users.some((x) => x.name === u.name)) users.push(u);
    for (const c of one.getContexts()) if (!contexts.some((x) => x.name === c.name)) contexts.push(c);
    if (currentContext === '' && one.getCurrentContext()) currentContext = one.getCurrentContext();
  }
  const kc = new KubeConfigImpl();
  kc.loadFromOptions({ clusters, users, contexts, currentContext });
  return kc;
}

/**
 * Where the NUL byte js-yaml refused is (1-based line and column), or null for any other error. js-yaml rejects
 * a NUL before it counts lines, so its own "(1:N)" position and excerpt are wrong; the file is searched instead.
 */
function nulByteAt(file: string, err: unknown): { line: number; column: number } | null {
  if ((err as { reason?: unknown } | null)?.reason !== 'null byte is not allowed in input') return null;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const at = text.indexOf('\0');
  if (at < 0) return null;
  const before = text.slice(0, at);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: at - lineStart + 1 };
}

/** The same configuration client-node's loadFromCluster() builds, from explicit inputs. */
function inCluster(KubeConfigImpl: KubeConfigClass, host: string, port: string | undefined, saDir: string): KubeConfig {
  const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
  const server = `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port ?? '443'}`;
  const namespaceFile = join(saDir, 'namespace');
  const caFile = join(saDir, 'ca.crt');
  const kc = new KubeConfigImpl();
  kc.loadFromOptions({
    // Plain HTTP (ports 80/8080/8001, as client-node decides) has no certificate to verify.
    // Without ca.crt (unusual) the system trust store verifies the server, as client-go does.
    clusters: [
      {
        name: 'inCluster',
        server,
        caFile: existsSync(caFile) ? caFile : undefined,
        skipTLSVerify: scheme === 'http',
      },
    ],
    users: [{ name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile: join(saDir, 'token') } } }],
    contexts: [
      {
        name: 'inClusterContext',
        cluster: 'inCluster',
        user: 'inClusterUser',
        namespace: existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : undefined,
      },
    ],
    currentContext: 'inClusterContext',
  });
  return kc;
}

function finish(
  kc: KubeConfig,
  source: KubeConfigSource,
  files: string[],
  context: string | undefined,
  contextSetting = '--context',
): ResolvedKubeConfig {
  const where = files.length > 0 ? files.join(delimiter) : 'in-cluster configuration';
  const names = kc.getContexts().map((c) => c.name);
  if (context !== undefined) {
    if (!names.includes(context)) {
      throw kubeConfigError(
        `${contextSetting} ${context}: no such context in ${where} (contexts: ${names.join(', ') || 'none'})`,
      );
    }
    kc.setCurrentContext(context);
  } else if (!kc.getCurrentContext() || !kc.getContextObject(kc.getCurrentContext())) {
    throw kubeConfigError(
      `${where}: no current-context${kc.getCurrentContext() ? ` (${kc.getCurrentContext()} is not defined)` : ''}; pass ${contextSetting} (contexts: ${names.join(', ') || 'none'})`,
    );
  }
  const contextName = kc.getCurrentContext();
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    const ctx = kc.getContextObject(contextName);
    throw kubeConfigError(`${where}: context ${contextName} names cluster ${ctx?.cluster ?? '?'}, which is not defined`);
  }
  if (!cluster.server) throw kubeConfigError(`${where}: cluster ${cluster.name} has no server`);
  let url: URL;
  try {
    url = new URL(cluster.server);
  } catch (err) {
    throw kubeConfigError(`${where}: cluster ${cluster.name} has an invalid server URL ${cluster.server}`, err);
  }
  if (url.protocol === 'http:' && !cluster.skipTLSVerify) {
    // client-node refuses plain HTTP unless the cluster says insecure-skip-tls-verify; say so up front.
    throw kubeConfigError(
      `${where}: cluster ${cluster.name} uses http:// (${cluster.server}); set insecure-skip-tls-verify: true to allow it`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw kubeConfigError(`${where}: cluster ${cluster.name}: unsupported server URL ${cluster.server}`);
  }
  return { kubeConfig: kc, source, files, context: contextName, server: cluster.server };
}

/** CoreDNS `endpoint URL` without a kubeconfig: that API server, without credentials. */
export function endpointKubeConfigWith(KubeConfigImpl: KubeConfigClass, server: string): KubeConfig {
  const kubeConfig = new KubeConfigImpl();
  kubeConfig.loadFromOptions({
    // client-node refuses http:// unless skipTLSVerify is set; there is no TLS to verify then, and https:// verifies.
    clusters: [{ name: 'endpoint', server, skipTLSVerify: server.startsWith('http:') }],
    users: [{ name: 'anonymous' }],
    contexts: [{ name: 'endpoint', cluster: 'endpoint', user: 'anonymous' }],
    currentContext: 'endpoint',
  });
  return kubeConfig;
}
