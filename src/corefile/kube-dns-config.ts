// kube-dns's ConfigMap as mounted files (k8s.io/dns pkg/dns/config): `stubDomains` is a JSON object
// `{"corp.example": ["10.1.0.53"]}` and `upstreamNameservers` a JSON array `["8.8.8.8"]`; each key is a file of
// the directory, absent when the ConfigMap does not set it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import { formatUpstream, parseUpstreamAddress } from '../forward/upstream-address.js';
import { parseZone } from '../config/serve-options.js';

export interface KubeDnsConfig {
  /** `DOMAIN=ADDR,...`, as --stub-domain takes them. */
  stubDomains: string[];
  upstreams: string[];
}

export function readKubeDnsConfig(dir: string): KubeDnsConfig {
  const stub = readJson(join(dir, 'stubDomains'));
  const upstream = readJson(join(dir, 'upstreamNameservers'));
  const config: KubeDnsConfig = { stubDomains: [], upstreams: [] };
  if (stub !== undefined) {
    const file = join(dir, 'stubDomains');
    if (typeof stub !== 'object' || stub === null || Array.isArray(stub)) throw invalid(file, 'expected a JSON object of domain → [nameserver, ...]');
    for (const [domain, servers] of Object.entries(stub)) {
      if (!Array.isArray(servers) || servers.length === 0) throw invalid(file, `"${domain}": expected a non-empty array of nameservers`);
      config.stubDomains.push(`${checked(file, () => parseZone(domain, 'stubDomains'))}=${servers.map((s) => address(file, s)).join(',')}`);
    }
  }
  if (upstream !== undefined) {
    const file = join(dir, 'upstreamNameservers');
    if (!Array.isArray(upstream)) throw invalid(file, 'expected a JSON array of nameservers');
    // kube-dns uses at most three (pkg/dns/config/config.go).
    if (upstream.length > 3) throw invalid(file, `at most 3 nameservers, got ${upstream.length}`);
    config.upstreams = upstream.map((s) => address(file, s));
  }
  return config;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ClusterDnsError(ErrorCodes.KUBE_DNS_CONFIG, `cannot read ${file}: ${(err as Error).message}`, { location: { file }, cause: err });
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalid(file, `not JSON: ${(err as Error).message}`);
  }
}

function address(file: string, value: unknown): string {
  if (typeof value !== 'string') throw invalid(file, `expected a nameserver address string, got ${JSON.stringify(value)}`);
  return checked(file, () => formatUpstream(parseUpstreamAddress(value, 'nameserver')));
}

function checked<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw invalid(file, (err as Error).message);
  }
}

function invalid(file: string, message: string): ClusterDnsError {
  return new ClusterDnsError(ErrorCodes.KUBE_DNS_CONFIG, message, { location: { file } });
}
