// `clusterdns serve` flags → validated options. Each error names the flag and what it accepts.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import { labelSelectorProblem, namespaceNameProblem } from './kubernetes-flags.js';
import type { PodsMode } from '../cluster/objects.js';
import { LOG_LEVELS, type LogFormat, type LogLevel } from '../log/logger.js';
import { normalizeName } from '../wire/name.js';
import { ACL_DENY_ACTIONS, allowFromRules, type AclAction, type AclRule } from '../acl/access-control.js';
import { TCP_DEFAULTS } from '../server/dns-server.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface ServeOptions {
  manifests: string[];
  /** Kubernetes API source (used when no --manifest is given). */
  kubeconfig?: string;
  context?: string;
  namespaces: string[];
  labels?: string;
  listen: ListenAddress;
  zones: string[];
  ttl: number;
  pods: PodsMode;
  logFormat: LogFormat;
  logLevel: LogLevel;
  /** HTTP endpoints (CoreDNS health :8080, ready :8181, prometheus :9153); off unless given. */
  health?: ListenAddress;
  ready?: ListenAddress;
  metrics?: ListenAddress;
  /** --autopath: '@kubernetes' (each pod's own search path) or a resolv.conf file (one search path for all). */
  autopath?: string;
  /** --autopath-namespace: the search path of clients that are no pod (implies --autopath @kubernetes). */
  autopathNamespace?: string;
  /** Serving processes (--workers N|auto): 1 = this process alone; more = a node:cluster primary and N workers. */
  workers: number;
  /** --no-kubernetes: no cluster data at all (zone files and forwarding only). */
  noKubernetes: boolean;
  /** --zones DIR: zone files served authoritatively. */
  zoneDirectory?: string;
  /** --upstream ADDR[:PORT], repeatable; none given: the nameservers of --resolv-conf. */
  upstreams: string[];
  /** --resolv-conf FILE: where the upstreams come from without --upstream (default /etc/resolv.conf). */
  resolvConf: string;
  /** --stub-domain DOMAIN=ADDR[,ADDR...], repeatable. */
  stubDomains: string[];
  cacheSize: number;
  cacheTtl: number;
  /** Seconds; 0 = off. */
  serveStale: number;
  maxConcurrent: number;
  /** --forward-expire DURATION: how long a TCP connection to an upstream is kept idle (CoreDNS `expire`); default 10 s. */
  forwardExpireMs?: number;
  /** --conf FILE (also -conf): serve what a Corefile says; the flags given beside it override it. */
  conf?: string;
  /** --kube-dns-config DIR: the kube-dns ConfigMap's stubDomains and upstreamNameservers files. */
  kubeDnsConfig?: string;
  /** --lameduck DURATION: how long SIGTERM keeps answering after /ready turned 503 (CoreDNS `health { lameduck }`). */
  lameduckMs: number;
  /** --log-queries: a line per query (CoreDNS `log`). */
  logQueries: boolean;
  /** --loadbalance: rotate A and AAAA records per reply (CoreDNS `loadbalance`). */
  loadbalance: boolean;
  /** --endpoint-pod-names: endpoints without a hostname are named by their Pod (CoreDNS `endpoint_pod_names`). */
  endpointPodNames: boolean;
  /** --explain-from-anywhere: GET /explain answers clients that are not on loopback (set only when given). */
  explainFromAnywhere?: true;
  /** --allow-from CIDR (with --deny-action) as CoreDNS acl rules; undefined: everyone is answered. */
  acl?: AclRule[];
  /** --tcp-max-conns: open TCP connections at most (RFC 7766 6.2.3). */
  tcpMaxConnections: number;
  /** --tcp-idle-timeout: close a TCP connection idle this long (RFC 7766 6.2.3). */
  tcpIdleTimeoutMs: number;
  /** --tcp-max-in-flight: queries one TCP connection may have unanswered (RFC 7766 6.2.1.1). */
  tcpMaxInFlight: number;
}

export const SERVE_DEFAULTS = {
  listen: '127.0.0.1:1053',
  resolvConf: '/etc/resolv.conf',
  cacheSize: 10_000,
  cacheTtl: 30,
  maxConcurrent: 1000,
  lameduck: '5s',
  zone: 'cluster.local',
  ttl: 5,
  pods: 'verified' as PodsMode,
  logFormat: 'json' as LogFormat,
  logLevel: 'info' as LogLevel,
  denyAction: 'block' as AclAction,
  tcpMaxConns: TCP_DEFAULTS.maxConnections,
  tcpIdleTimeout: `${TCP_DEFAULTS.idleTimeoutMs / 1000}s`,
  tcpMaxInFlight: TCP_DEFAULTS.maxInFlightPerConnection,
};

const PODS_MODES: readonly PodsMode[] = ['disabled', 'insecure', 'verified'];
const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

/** The flags written on the command line (`--flag` or `--flag=value`), without their dashes. */
export function givenFlags(argv: string[]): Set<string> {
  return new Set(argv.filter((arg) => arg.startsWith('--')).map((arg) => arg.slice(2).split('=')[0]));
}

/** CoreDNS spells its Corefile flag `-conf`; Node's parser reads single-dash words as short options. */
export function normalizeConfFlag(argv: string[]): string[] {
  return argv.map((arg) => (arg === '-conf' ? '--conf' : arg.startsWith('-conf=') ? `-${arg}` : arg));
}

export function parseServeArgs(argv: string[]): ServeOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        manifest: { type: 'string', multiple: true },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        namespaces: { type: 'string', multiple: true },
        labels: { type: 'string' },
        listen: { type: 'string' },
        zone: { type: 'string', multiple: true },
        ttl: { type: 'string' },
        pods: { type: 'string' },
        'log-format': { type: 'string' },
        'log-level': { type: 'string' },
        health: { type: 'string' },
        ready: { type: 'string' },
        metrics: { type: 'string' },
        autopath: { type: 'string' },
        'autopath-namespace': { type: 'string' },
        workers: { type: 'string' },
        'no-kubernetes': { type: 'boolean' },
        zones: { type: 'string' },
        upstream: { type: 'string', multiple: true },
        'resolv-conf': { type: 'string' },
        'stub-domain': { type: 'string', multiple: true },
        'cache-size': { type: 'string' },
        'cache-ttl': { type: 'string' },
        'serve-stale': { type: 'string' },
        'max-concurrent': { type: 'string' },
        'forward-expire': { type: 'string' },
        conf: { type: 'string' },
        'kube-dns-config': { type: 'string' },
        lameduck: { type: 'string' },
        'log-queries': { type: 'boolean' },
        loadbalance: { type: 'boolean' },
        'endpoint-pod-names': { type: 'boolean' },
        'explain-from-anywhere': { type: 'boolean' },
        'allow-from': { type: 'string', multiple: true },
        'deny-action': { type: 'string' },
        'tcp-max-conns': { type: 'string' },
        'tcp-idle-timeout': { type: 'string' },
        'tcp-max-in-flight': { type: 'string' },
      },
    }));
  } catch (err) {
    throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_FLAG, (err as Error).message, { cause: err });
  }
  return {
    manifests: values.manifest ?? [],
    kubeconfig: values.kubeconfig,
    context: values.context,
    namespaces: parseNamespaces(values.namespaces ?? []),
    labels: values.labels === undefined ? undefined : checked(values.labels, labelSelectorProblem, '--labels'),
    listen: parseListen(values.listen ?? SERVE_DEFAULTS.listen, '--listen'),
    zones: (values.zone ?? [SERVE_DEFAULTS.zone]).map((zone) => parseZone(zone, '--zone')),
    ttl: parseTtl(values.ttl ?? String(SERVE_DEFAULTS.ttl), '--ttl'),
    pods: oneOf(values.pods ?? SERVE_DEFAULTS.pods, PODS_MODES, '--pods'),
    logFormat: oneOf(values['log-format'] ?? SERVE_DEFAULTS.logFormat, LOG_FORMATS, '--log-format'),
    logLevel: oneOf(values['log-level'] ?? SERVE_DEFAULTS.logLevel, LOG_LEVELS, '--log-level'),
    health: values.health === undefined ? undefined : parseListen(values.health, '--health'),
    ready: values.ready === undefined ? undefined : parseListen(values.ready, '--ready'),
    metrics: values.metrics === undefined ? undefined : parseListen(values.metrics, '--metrics'),
    autopath: values.autopath ?? (values['autopath-namespace'] === undefined ? undefined : '@kubernetes'),
    autopathNamespace:
      values['autopath-namespace'] === undefined ? undefined : checked(values['autopath-namespace'], namespaceNameProblem, '--autopath-namespace'),
    workers: parseWorkers(values.workers ?? '1', '--workers'),
    noKubernetes: values['no-kubernetes'] ?? false,
    zoneDirectory: values.zones,
    upstreams: values.upstream ?? [],
    resolvConf: values['resolv-conf'] ?? SERVE_DEFAULTS.resolvConf,
    stubDomains: values['stub-domain'] ?? [],
    cacheSize: parseCount(values['cache-size'] ?? String(SERVE_DEFAULTS.cacheSize), 0, 10_000_000, '--cache-size'),
    cacheTtl: parseCount(values['cache-ttl'] ?? String(SERVE_DEFAULTS.cacheTtl), 1, 86_400, '--cache-ttl'),
    serveStale: parseDuration(values['serve-stale'] ?? '0', '--serve-stale'),
    maxConcurrent: parseCount(values['max-concurrent'] ?? String(SERVE_DEFAULTS.maxConcurrent), 1, 1_000_000, '--max-concurrent'),
    forwardExpireMs: values['forward-expire'] === undefined ? undefined : parseMilliseconds(values['forward-expire'], '--forward-expire'),
    conf: values.conf,
    kubeDnsConfig: values['kube-dns-config'],
    lameduckMs: parseMilliseconds(values.lameduck ?? SERVE_DEFAULTS.lameduck, '--lameduck'),
    logQueries: values['log-queries'] ?? false,
    loadbalance: values.loadbalance ?? false,
    endpointPodNames: values['endpoint-pod-names'] ?? false,
    ...(values['explain-from-anywhere'] === true ? { explainFromAnywhere: true as const } : {}),
    acl: parseAllowFrom(values['allow-from'], values['deny-action']),
    tcpMaxConnections: parseCount(values['tcp-max-conns'] ?? String(SERVE_DEFAULTS.tcpMaxConns), 1, 1_000_000, '--tcp-max-conns'),
    tcpIdleTimeoutMs: parseTcpIdleTimeout(values['tcp-idle-timeout'] ?? SERVE_DEFAULTS.tcpIdleTimeout),
    tcpMaxInFlight: parseCount(values['tcp-max-in-flight'] ?? String(SERVE_DEFAULTS.tcpMaxInFlight), 1, 65_535, '--tcp-max-in-flight'),
  };
}

/** --allow-from CIDR (repeatable, comma-separated) → one acl rule: those sources allowed, the rest --deny-action. */
function parseAllowFrom(allowFrom: string[] | undefined, denyAction: string | undefined): AclRule[] | undefined {
  if (allowFrom === undefined) {
    if (denyAction !== undefined) throw invalid('--deny-action', 'only with --allow-from (without it every source is answered)');
    return undefined;
  }
  const action = oneOf(denyAction ?? SERVE_DEFAULTS.denyAction, ACL_DENY_ACTIONS, '--deny-action');
  const rules = allowFromRules(allowFrom, action);
  if (rules[0].policies[0].nets?.length === 0) throw invalid('--allow-from', 'expected at least one CIDR such as 10.0.0.0/8');
  return rules;
}

/** At least 1 s: a shorter idle timeout would cut clients between the queries of one lookup. */
function parseTcpIdleTimeout(text: string): number {
  const ms = parseMilliseconds(text, '--tcp-idle-timeout');
  if (ms < 1000) throw invalid('--tcp-idle-timeout', `expected at least 1s, got "${text}"`);
  return ms;
}

/** A whole number within [min, max]. */
function parseCount(text: string, min: number, max: number, flag: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw invalid(flag, `expected a whole number ${min}..${max}, got "${text}"`);
  return value;
}

/** Seconds as CoreDNS writes durations: `3600`, `90s`, `30m`, `1h`, `2d`; 0 is off. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+)(s|m|h|d)?$/.exec(text);
  if (!match) throw invalid(flag, `expected a duration such as 3600, 90s, 30m, 1h or 2d, got "${text}"`);
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** A duration as Go writes short ones (`5s`, `500ms`, `1m`; a bare number is seconds), in milliseconds, up to 1 h. */
export function parseMilliseconds(text: string, flag: string): number {
  const match = /^(\d+)(ms|s|m)?$/.exec(text);
  const ms = match ? Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm'] : NaN;
  if (!(ms <= 3_600_000)) throw invalid(flag, `expected a duration such as 5s, 500ms or 1m (at most 1h), got "${text}"`);
  return ms;
}

/** Upper bound of --workers: far beyond any core count this runs on, low enough to catch a typo. */
export const MAX_WORKERS = 256;

/** `auto` = os.availableParallelism(); otherwise a whole number 1..MAX_WORKERS. */
export function parseWorkers(text: string, flag = 'workers', cores: () => number = availableParallelism): number {
  if (text === 'auto') return Math.max(1, Math.min(MAX_WORKERS, cores()));
  const workers = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(workers >= 1 && workers <= MAX_WORKERS)) throw invalid(flag, `expected a number of processes 1..${MAX_WORKERS} or "auto", got "${text}"`);
  return workers;
}

function invalid(flag: string, message: string): ClusterDnsError {
  return new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, `${flag}: ${message}`);
}

/** `HOST:PORT`, `[IPv6]:PORT`; port 0 picks a free port. */
export function parseListen(text: string, flag = 'listen'): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw invalid(flag, `expected HOST:PORT (e.g. 127.0.0.1:1053 or [::1]:1053), got "${text}"`);
  return { host: match[1] ?? match[2], port };
}

/** The inverse of parseListen: `host:port`, `[IPv6]:port`. */
export function formatAddress({ host, port }: ListenAddress): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A DNS name: lowercase, no trailing dot, labels of 1..63 letters, digits, '-' or '_'. */
export function parseZone(text: string, flag = 'zone'): string {
  const zone = normalizeName(text);
  const labels = zone.split('.');
  if (zone === '' || zone.length > 253 || labels.some((label) => !/^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/.test(label))) {
    throw invalid(flag, `"${text}" is not a valid DNS zone name`);
  }
  return zone;
}

export function parseTtl(text: string, flag = 'ttl'): number {
  const ttl = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(ttl >= 0 && ttl <= 3600)) throw invalid(flag, `expected whole seconds 0..3600, got "${text}"`);
  return ttl;
}

/** `--namespaces a,b --namespaces c` → [a, b, c], each a valid namespace name. */
function parseNamespaces(values: string[]): string[] {
  return values
    .flatMap((value) => value.split(','))
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .map((name) => checked(name, namespaceNameProblem, '--namespaces'));
}

function checked(value: string, problemOf: (value: string) => string | null | undefined, flag: string): string {
  const problem = problemOf(value);
  if (problem) throw invalid(flag, problem);
  return value;
}

function oneOf<T extends string>(text: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(text)) throw invalid(flag, `expected one of ${allowed.join(', ')}, got "${text}"`);
  return text as T;
}
