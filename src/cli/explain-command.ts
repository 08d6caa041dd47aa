// `clusterdns explain NAME [TYPE]`: why a name answers what it answers (docs/explain.md). From a snapshot or
// the Kubernetes API it starts the same server `serve` runs, on a free loopback port with no forwarding, asks
// it, and stops it; with --server it asks a running clusterdns's GET /explain instead.
import { parseArgs } from 'node:util';
import { startClusterDnsServer, type ClusterDnsServer } from '../cluster-dns.js';
import type { PodsMode } from '../cluster/objects.js';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import type { Explanation } from '../explain/explanation.js';
import { formatExplanation } from '../explain/format-explanation.js';
import { createLogger } from '../log/logger.js';

export const EXPLAIN_USAGE = `Usage: clusterdns explain NAME [TYPE] (--manifest FILE | --kubeconfig FILE [--context NAME] | --server URL)
                        [--zone NAME] [--pods MODE] [--from-pod NAMESPACE/NAME] [--json]

Why NAME answers what it answers: the answer as dig shows it, the object and spec rule behind each record,
and for NXDOMAIN or NODATA the reasons (docs/explain.md). TYPE defaults to A.

  --manifest FILE       a cluster snapshot (as serve --manifest); repeatable
  --kubeconfig FILE     list the live cluster with these credentials (--context NAME picks a context)
  --server URL          ask a running clusterdns: its metrics listener's /explain (e.g. http://127.0.0.1:9153)
  --zone NAME           cluster domain; repeatable (default cluster.local)
  --pods MODE           pod records: disabled, insecure or verified (default verified)
  --from-pod NS/NAME    ask as that pod's resolver would: its resolv.conf and every query of its search path
  --json                one JSON object (the schema in docs/explain.md)
`;

const PODS_MODES: readonly string[] = ['disabled', 'insecure', 'verified'];

interface ExplainArgs {
  name: string;
  type: string | undefined;
  manifests: string[];
  kubeconfig: string | undefined;
  context: string | undefined;
  server: string | undefined;
  zones: string[];
  pods: PodsMode;
  fromPod: string | undefined;
  json: boolean;
}

/** Throws a ClusterDnsError (a bad command line: exit 2). */
export function parseExplainArgs(argv: string[]): ExplainArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        manifest: { type: 'string', multiple: true },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        server: { type: 'string' },
        zone: { type: 'string', multiple: true },
        pods: { type: 'string' },
        'from-pod': { type: 'string' },
        json: { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_FLAG, (err as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0 || positionals.length > 2) {
    throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_FLAG, 'explain takes a NAME and optionally a TYPE');
  }
  const manifests = values.manifest ?? [];
  const sources = [manifests.length > 0, values.kubeconfig !== undefined || values.context !== undefined, values.server !== undefined].filter(Boolean).length;
  if (sources !== 1) {
    throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_FLAG, 'explain needs exactly one of --manifest, --kubeconfig (with --context) or --server');
  }
  const pods = values.pods ?? 'verified';
  if (!PODS_MODES.includes(pods)) throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, `--pods: expected disabled, insecure or verified, got "${pods}"`);
  if (values.server !== undefined && (values.zone !== undefined || values.pods !== undefined)) {
    throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_FLAG, '--zone and --pods describe how to serve; with --server the running server decides');
  }
  return {
    name: positionals[0],
    type: positionals[1],
    manifests,
    kubeconfig: values.kubeconfig,
    context: values.context,
    server: values.server,
    zones: values.zone ?? ['cluster.local'],
    pods: pods as PodsMode,
    fromPod: values['from-pod'],
    json: values.json === true,
  };
}

/** GET /explain of a running server. */
async function askServer(base: string, args: ExplainArgs): Promise<Explanation> {
  const url = new URL('/explain', base);
  url.searchParams.set('name', args.name);
  if (args.type !== undefined) url.searchParams.set('type', args.type);
  if (args.fromPod !== undefined) url.searchParams.set('fromPod', args.fromPod);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, `--server: ${url.origin} cannot be reached (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message})`);
  }
  const body = (await response.json().catch(() => null)) as (Explanation & { error?: string }) | null;
  if (!response.ok || body === null) {
    throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, `--server: ${url.origin}/explain answered ${response.status}${body?.error ? `: ${body.error}` : ''}`);
  }
  return body;
}

/** The same server `serve` runs, answering no one but this command. */
async function askLocal(args: ExplainArgs, syncTimeoutMs: number): Promise<Explanation> {
  // Warnings (an object that cannot be used) go to stderr; stdout is the explanation.
  const logger = createLogger({ level: 'warn', format: 'pretty', destination: process.stderr });
  let kubernetes;
  if (args.manifests.length === 0) {
    const { loadKubeConfig } = await import('../kube-api/load-kubeconfig.js');
    const found = await loadKubeConfig({ kubeconfig: args.kubeconfig, context: args.context });
    kubernetes = { kubeConfig: found.kubeConfig };
  }
  let dns: ClusterDnsServer | undefined;
  try {
    dns = await startClusterDnsServer({
      manifest: args.manifests,
      kubernetes,
      listen: '127.0.0.1:0',
      zones: args.zones,
      pods: args.pods,
      lameduckMs: 0,
      explainOffline: true,
      logger,
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ClusterDnsError(ErrorCodes.KUBE_CONFIG, `the Kubernetes API did not deliver a full list within ${syncTimeoutMs} ms`)), syncTimeoutMs);
    });
    await Promise.race([dns.whenSynced(), timeout]).finally(() => clearTimeout(timer));
    return await dns.explain(args.name, args.type, args.fromPod === undefined ? {} : { fromPod: args.fromPod });
  } finally {
    await dns?.close();
  }
}

/** Runs the command; returns the exit code (0 explained, 1 the data or server could not be had, 2 a bad command line). */
export async function runExplain(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  let args: ExplainArgs;
  try {
    args = parseExplainArgs(argv);
  } catch (e) {
    err.write(`clusterdns: ${(e as Error).message} [${(e as ClusterDnsError).code}]\n\n${EXPLAIN_USAGE}`);
    return 2;
  }
  try {
    const explanation = args.server !== undefined ? await askServer(args.server, args) : await askLocal(args, 30_000);
    out.write(args.json ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(explanation));
    return 0;
  } catch (e) {
    const code = e instanceof ClusterDnsError ? ` [${e.code}]` : '';
    err.write(`clusterdns: ${(e as Error).message}${code}\n`);
    return 1;
  }
}
