// A Corefile's directives → what clusterdns serves, with CoreDNS's syntax and meaning (plugin/*/setup.go).
// Directives clusterdns accepts without their behaviour yet are returned as notes, logged at start and listed
// in docs/corefile.md; anything else unknown, a wrong argument or a directive given twice is an error naming
// file, line and directive.
import { normalizeName } from '../wire/name.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseHostsFile, type HostsSettings } from '../pipeline/hosts-handler.js';
import { parseIPv4, parseIPv6 } from '../wire/ip-address.js';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import type { PodsMode } from '../cluster/objects.js';
import { REVERSE_ZONES } from '../cluster/record-builder.js';
import { labelSelectorProblem, namespaceNameProblem } from '../config/kubernetes-flags.js';
import { readResolvConfNameservers } from '../config/resolv-conf.js';
import { parseListen, parseZone, type ListenAddress } from '../config/serve-options.js';
import { formatUpstream, parseUpstreamAddress } from '../forward/upstream-address.js';
import type { UpstreamPolicy } from '../forward/upstream-pool.js';
import { parseGoDuration } from './go-duration.js';
import type { CorefileDirective, ServerBlock } from './corefile-parser.js';
import type { AclRule } from '../acl/access-control.js';
import { aclRule } from './acl-directive.js';

export interface CorefileKubernetes {
  /** Cluster zones (reverse zones are served whenever kubernetes is, and are left out here). */
  zones: string[];
  pods: PodsMode;
  ttl: number;
  namespaces: string[];
  labels?: string;
  kubeconfig?: string;
  context?: string;
  /** `endpoint URL`: the API server, asked without credentials (as `kubectl proxy` serves it). */
  endpoint?: string;
  /** `fallthrough [ZONES]`: NXDOMAIN in these zones ([] = all) goes on to forward. */
  fallthrough?: string[];
  /** `ignore empty_service`: a ClusterIP Service without ready endpoints is NXDOMAIN. */
  ignoreEmptyService?: boolean;
  /** `noendpoints`: no endpoint records. */
  noEndpoints?: boolean;
  /** `endpoint_pod_names`: endpoints without a hostname are named by their Pod, not their dashed IP. */
  endpointPodNames?: boolean;
}

export interface CorefileForward {
  /** `forward . TO...`: upstreams for every other name. */
  upstreams: string[];
  /** `forward DOMAIN TO...` and non-root server blocks: `DOMAIN=ADDR,...`. */
  stubDomains: string[];
  policy?: UpstreamPolicy;
  maxConcurrent?: number;
  healthCheckMs?: number;
  /** `force_tcp`: every question goes to the upstreams over TCP. */
  forceTcp?: boolean;
  /** `except DOMAIN...`: names at or under these are not forwarded (lowercase, no trailing dot). */
  except?: string[];
  /** `expire D`: a TCP connection to an upstream idle this long is closed, ms (CoreDNS's default 10s). */
  expireMs?: number;
}

export interface CorefileCache {
  /** Entries; 0 without a `cache` directive (CoreDNS caches nothing then). */
  size: number;
  /** Longest TTL of a success kept, seconds (CoreDNS's default 3600). */
  maxTtl: number;
  /** Longest TTL of a denial (NXDOMAIN, NODATA) kept, seconds (CoreDNS's default 1800). */
  maxDenialTtl: number;
  /** `prefetch N`: hits that get an entry refreshed before it expires; 0 (no `prefetch`, as CoreDNS): never. */
  prefetchHits: number;
  /** `prefetch N D P%`: refresh when at most P% of the TTL is left (CoreDNS's default 10). */
  prefetchPercent?: number;
  /** `prefetch N D`: hits further apart than D start the count over, ms (CoreDNS's default 1m). */
  prefetchWindowMs?: number;
  /** `success N TTL MINTTL`: shortest time a success is kept, seconds (CoreDNS's default 5 with `cache`). */
  minTtl?: number;
  /** `denial N TTL MINTTL`: shortest time a denial is kept, seconds (CoreDNS's default 5 with `cache`). */
  minDenialTtl?: number;
  serveStaleSeconds: number;
}

export interface CorefileNote {
  file: string;
  line: number;
  directive: string;
  /** What clusterdns does with it. */
  behaviour: string;
}

export interface CorefileSettings {
  listen: ListenAddress;
  /** null: no `kubernetes` directive (no cluster data). */
  kubernetes: CorefileKubernetes | null;
  health?: ListenAddress;
  /** `health { lameduck D }`, seconds. */
  lameduckSeconds?: number;
  ready?: ListenAddress;
  metrics?: ListenAddress;
  autopath?: string;
  zoneDirectory?: string;
  forward: CorefileForward;
  cache: CorefileCache;
  loop: boolean;
  /** `reload [INTERVAL [JITTER]]`; null: the Corefile is read once. */
  reload: { intervalMs: number; jitterMs: number } | null;
  log: boolean;
  errors: boolean;
  /** `loadbalance`: A and AAAA records rotate per reply. */
  loadbalance?: boolean;
  hosts?: HostsSettings;
  /** `acl` directives in order (CoreDNS allows several per server block). */
  acl?: AclRule[];
  notes: CorefileNote[];
  /**
   * Set when the Corefile has several server blocks: each one (the main block first), served with its own
   * chain. The top-level fields are then the main block's, with health, ready, prometheus and reload from
   * whichever block gives them.
   */
  servers?: CorefileServer[];
}

/** A server block: its zones ('' = root) on its port, and its own directives. */
export interface CorefileServer {
  zones: string[];
  listen: ListenAddress;
  settings: CorefileSettings;
  file: string;
  line: number;
}

/** CoreDNS's defaults for the addresses of health, ready and prometheus (all interfaces). */
const DEFAULT_ADDRESSES = { health: ':8080', ready: ':8181', prometheus: ':9153' };
const CACHE_DEFAULT_CAPACITY = 9984;
const CACHE_DEFAULT_MAX_TTL = 3600;
const CACHE_DEFAULT_MAX_DENIAL_TTL = 1800;
const CACHE_DEFAULT_MIN_TTL = 5;

export interface CorefileSettingsOptions {
  /** Read instead of /etc/resolv.conf where `forward` names it (the CLI's --resolv-conf). */
  resolvConf?: string;
}

export function corefileSettings(blocks: ServerBlock[], options: CorefileSettingsOptions = {}): CorefileSettings {
  if (blocks.length === 0) throw new ClusterDnsError(ErrorCodes.COREFILE_SERVER_BLOCK, 'the Corefile has no server block');
  const resolvConf = options.resolvConf ?? '/etc/resolv.conf';
  // Every block is a server of its own (CoreDNS core/dnsserver): its zones on its port, its own plugin chain.
  // (The parser already refuses a zone given twice on one port, as CoreDNS's core/dnsserver/register.go does.)
  const servers: CorefileServer[] = [];
  for (const block of blocks) {
    const ports = [...new Set(block.keys.map((key) => key.port ?? 53))];
    if (ports.length > 1) throw blockError(block, `server block "${block.keys.map((k) => k.text).join(' ')}" names several ports (${ports.join(', ')}): give each port a block of its own`);
    const settings = emptySettings(ports[0]);
    applyMainBlock(block, { settings, resolvConf });
    servers.push({ zones: block.keys.map((key) => key.zone), listen: settings.listen, settings, file: block.file, line: block.line });
  }
  // The block that holds the root zone (or else the first) is the main one: the command-line flags apply to it.
  const main = servers.find((server) => server.zones.includes('')) ?? servers[0];
  if (servers.length === 1) return main.settings;
  return { ...main.settings, ...processWide(blocks, servers), notes: servers.flatMap((server) => server.settings.notes), servers: [main, ...servers.filter((server) => server !== main)] };
}

function emptySettings(port: number): CorefileSettings {
  return {
    listen: { host: '0.0.0.0', port },
    kubernetes: null,
    forward: { upstreams: [], stubDomains: [] },
    cache: { size: 0, maxTtl: CACHE_DEFAULT_MAX_TTL, maxDenialTtl: CACHE_DEFAULT_MAX_DENIAL_TTL, prefetchHits: 0, serveStaleSeconds: 0 },
    loop: false,
    reload: null,
    log: false,
    errors: false,
    notes: [],
  };
}

/**
 * health, ready, prometheus and reload serve the whole process, whichever block names them (CoreDNS shares one
 * listener per address between blocks); two blocks naming different addresses is an error. Every kubernetes
 * directive shares one data source, so they must agree on where and what it lists.
 */
function processWide(blocks: ServerBlock[], servers: CorefileServer[]): Partial<CorefileSettings> {
  const merged: Partial<CorefileSettings> = {};
  const fields = [
    ['health', 'health'],
    ['lameduckSeconds', 'health'],
    ['ready', 'ready'],
    ['metrics', 'prometheus'],
    ['reload', 'reload'],
  ] as const;
  for (const [field, directive] of fields) {
    let first: CorefileServer | undefined;
    servers.forEach((server, i) => {
      const value = server.settings[field];
      if (value === undefined || value === null) return;
      if (first === undefined) {
        first = server;
        (merged as Record<string, unknown>)[field] = value;
      } else if (JSON.stringify(value) !== JSON.stringify(first.settings[field])) {
        const d = blocks[i].directives.find((candidate) => candidate.name === directive)!;
        throw blockError(d, `directive ${directive}: differs from the one in the block at ${first.file}:${first.line}; it serves the whole process, so give it once`);
      }
    });
  }
  const source = (kube: CorefileKubernetes) => JSON.stringify([kube.kubeconfig, kube.context, kube.endpoint, kube.namespaces, kube.labels]);
  let firstKube: CorefileServer | undefined;
  servers.forEach((server, i) => {
    const kube = server.settings.kubernetes;
    if (kube === null) return;
    if (firstKube === undefined) firstKube = server;
    else if (source(kube) !== source(firstKube.settings.kubernetes!)) {
      const d = blocks[i].directives.find((candidate) => candidate.name === 'kubernetes')!;
      throw blockError(d, `directive kubernetes: every server block shares one Kubernetes data source, so kubeconfig, endpoint, namespaces and labels must be those of the block at ${firstKube.file}:${firstKube.line}`);
    }
  });
  return merged;
}

function blockError(at: { file: string; line: number }, message: string): ClusterDnsError {
  return new ClusterDnsError(ErrorCodes.COREFILE_SERVER_BLOCK, message, { location: { file: at.file, line: at.line } });
}

interface Context {
  settings: CorefileSettings;
  resolvConf: string;
}

/** One server block's directives into its settings. */
function applyMainBlock(block: ServerBlock, context: Context): void {
  const { settings } = context;
  const blockZones = block.keys.map((key) => key.zone);
  const seen = new Map<string, CorefileDirective>();
  for (const d of block.directives) {
    const earlier = seen.get(d.name);
    if (earlier && d.name !== 'forward' && d.name !== 'file' && d.name !== 'acl') fail(d, `given twice in one server block (first at line ${earlier.line})`);
    seen.set(d.name, d);
    switch (d.name) {
      case 'errors':
        noBlockAllowed(d, ['consolidate', 'stacktrace']);
        args(d, 0, 0);
        settings.errors = true; // SERVFAIL answers are logged with their cause, once per cause and interval
        break;
      case 'log':
        noBlock(d);
        settings.log = true;
        break;
      case 'health': {
        args(d, 0, 1);
        settings.health = address(d, d.args[0] ?? DEFAULT_ADDRESSES.health);
        for (const sub of d.block ?? []) {
          if (sub.name !== 'lameduck') fail(sub, 'unknown health option (expected lameduck DURATION)', 'health');
          args(sub, 1, 1, 'health');
          settings.lameduckSeconds = durationMs(sub, sub.args[0], 'health') / 1000;
        }
        break;
      }
      case 'ready':
        noBlock(d);
        args(d, 0, 1);
        settings.ready = address(d, d.args[0] ?? DEFAULT_ADDRESSES.ready);
        break;
      case 'prometheus':
        noBlock(d);
        args(d, 0, 1);
        settings.metrics = address(d, d.args[0] ?? DEFAULT_ADDRESSES.prometheus);
        break;
      case 'kubernetes':
        settings.kubernetes = kubernetesSettings(d, blockZones, settings);
        break;
      case 'autopath':
        noBlock(d);
        args(d, 1, 1 + 100);
        if (d.args.length > 1) note(settings, d, `zones after ${d.args[0]} are not used: autopath applies to the cluster zones`);
        settings.autopath = d.args[0].startsWith('@') ? d.args[0] : resolvePath(d, d.args[0]);
        if (settings.autopath.startsWith('@') && settings.autopath !== '@kubernetes') fail(d, `expected @kubernetes or a resolv.conf file, got "${d.args[0]}"`);
        break;
      case 'forward':
        applyForward(d, context);
        break;
      case 'cache':
        applyCache(d, settings);
        break;
      case 'loop':
        noBlock(d);
        args(d, 0, 0);
        settings.loop = true;
        break;
      case 'reload': {
        noBlock(d);
        args(d, 0, 2);
        // CoreDNS's defaults and bounds (plugin/reload/setup.go): 30 s ± 15 s, interval ≥ 2 s, jitter ≥ 1 s and ≤ interval/2.
        const intervalMs = d.args[0] === undefined ? 30_000 : durationMs(d, d.args[0]);
        const jitterMs = d.args[1] === undefined ? Math.min(15_000, intervalMs / 2) : durationMs(d, d.args[1]);
        if (intervalMs < 2000) fail(d, `interval must be at least 2s, got ${d.args[0]}`);
        if (jitterMs < 1000 || jitterMs > intervalMs / 2) fail(d, `jitter must be between 1s and half the interval, got ${d.args[1] ?? jitterMs / 1000 + 's'}`);
        settings.reload = { intervalMs, jitterMs };
        break;
      }
      case 'loadbalance':
        noBlock(d);
        args(d, 0, 1);
        if (d.args[0] !== undefined && d.args[0] !== 'round_robin') fail(d, `expected round_robin, got "${d.args[0]}"`);
        settings.loadbalance = true;
        break;
      case 'file': {
        noBlockAllowed(d, ['reload']);
        args(d, 1, 100);
        const path = resolvePath(d, d.args[0]);
        if (!existsSync(path) || !statSync(path).isDirectory()) {
          fail(d, `${path} is not a directory: clusterdns serves zone files from a directory (<origin>.db each); put the file there and name the directory`);
        }
        if (settings.zoneDirectory !== undefined) fail(d, 'only one zone directory is served');
        if (d.args.length > 1) note(settings, d, 'the zones come from the files (<origin>.db or $ORIGIN), not from the arguments');
        settings.zoneDirectory = path;
        break;
      }
      case 'hosts':
        settings.hosts = hostsSettings(d, blockZones, settings);
        break;
      case 'acl':
        (settings.acl ??= []).push(aclRule(d, blockZones));
        break;
      case 'bind':
        noBlock(d);
        args(d, 1, 1);
        settings.listen = { ...settings.listen, host: parseListen(`${d.args[0].includes(':') ? `[${d.args[0]}]` : d.args[0]}:0`, 'bind').host };
        break;
      default:
        fail(d, `unknown directive (clusterdns knows ${KNOWN.join(', ')})`);
    }
  }
}

const KNOWN = ['errors', 'health', 'ready', 'kubernetes', 'autopath', 'prometheus', 'forward', 'cache', 'loop', 'reload', 'loadbalance', 'file', 'hosts', 'log', 'bind', 'acl'];

/** `hosts [FILE [ZONES...]] { ADDRESS NAME...; ttl N; no_reverse; reload D; fallthrough [ZONES] }`. */
function hostsSettings(d: CorefileDirective, blockZones: string[], settings: CorefileSettings): HostsSettings {
  const file = d.args[0] === undefined ? '/etc/hosts' : resolvePath(d, d.args[0]);
  const zones = d.args.length > 1 ? d.args.slice(1).map((zone) => (zone === '.' ? '' : zoneName(d, zone))) : blockZones;
  // CoreDNS polls the file every 5 s unless `reload 0` turns that off.
  const hosts: HostsSettings = { entries: [], zones, file, fileEntries: [], reloadMs: 5000 };
  try {
    hosts.fileEntries = parseHostsFile(readFileSync(file, 'utf8'));
    hosts.entries.push(...hosts.fileEntries);
  } catch (err) {
    // CoreDNS starts without the file too (it may appear later); say so once.
    note(settings, d, `${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): only the inline entries are served`);
  }
  for (const sub of d.block ?? []) {
    if (parseIPv4(sub.name) || parseIPv6(sub.name)) {
      if (sub.args.length === 0) fail(sub, 'an address needs at least one name', 'hosts');
      hosts.entries.push({ address: sub.name, names: sub.args.map((name) => zoneName(sub, name)) });
      continue;
    }
    switch (sub.name) {
      case 'ttl':
        args(sub, 1, 1, 'hosts');
        hosts.ttl = count(sub, sub.args[0], 0, 4_294_967_295, 'hosts');
        break;
      case 'no_reverse':
        args(sub, 0, 0, 'hosts');
        hosts.reverse = false;
        break;
      case 'reload':
        args(sub, 1, 1, 'hosts');
        hosts.reloadMs = durationMs(sub, sub.args[0], 'hosts');
        break;
      case 'fallthrough':
        hosts.fallthrough = sub.args.map((zone) => (zone === '.' ? '' : zoneName(sub, zone)));
        break;
      default:
        fail(sub, 'unknown option (ADDRESS NAME..., ttl, no_reverse, reload, fallthrough)', 'hosts');
    }
  }
  return hosts;
}

function kubernetesSettings(d: CorefileDirective, blockZones: string[], settings: CorefileSettings): CorefileKubernetes {
  const zones = (d.args.length > 0 ? d.args : blockZones.map((zone) => zone || '.')).map((zone) => normalizeName(zone));
  const clusterZones = zones.filter((zone) => !REVERSE_ZONES.some((reverse) => zone === reverse || zone.endsWith(`.${reverse}`)));
  if (clusterZones.length === 0) fail(d, 'no cluster zone (for example kubernetes cluster.local in-addr.arpa ip6.arpa)');
  const kube: CorefileKubernetes = {
    zones: clusterZones.map((zone) => zoneName(d, zone)),
    pods: 'disabled', // CoreDNS's default
    ttl: 5,
    namespaces: [],
  };
  for (const sub of d.block ?? []) {
    switch (sub.name) {
      case 'pods':
        args(sub, 1, 1, 'kubernetes');
        if (!['disabled', 'insecure', 'verified'].includes(sub.args[0])) fail(sub, `expected disabled, insecure or verified, got "${sub.args[0]}"`, 'kubernetes');
        kube.pods = sub.args[0] as PodsMode;
        break;
      case 'ttl': {
        args(sub, 1, 1, 'kubernetes');
        const ttl = /^\d+$/.test(sub.args[0]) ? Number(sub.args[0]) : NaN;
        if (!(ttl >= 0 && ttl <= 3600)) fail(sub, `expected whole seconds 0..3600, got "${sub.args[0]}"`, 'kubernetes');
        kube.ttl = ttl;
        break;
      }
      case 'namespaces':
        args(sub, 1, 1000, 'kubernetes');
        for (const name of sub.args) {
          const problem = namespaceNameProblem(name);
          if (problem) fail(sub, problem, 'kubernetes');
        }
        kube.namespaces = sub.args;
        break;
      case 'labels': {
        args(sub, 1, 1000, 'kubernetes');
        const selector = sub.args.join(' ');
        const problem = labelSelectorProblem(selector);
        if (problem) fail(sub, problem, 'kubernetes');
        kube.labels = selector;
        break;
      }
      case 'kubeconfig':
        args(sub, 1, 2, 'kubernetes');
        kube.kubeconfig = resolvePath(sub, sub.args[0]);
        kube.context = sub.args[1];
        break;
      case 'endpoint': {
        args(sub, 1, 1, 'kubernetes');
        let url: URL | null = null;
        try {
          url = new URL(sub.args[0]);
        } catch {
          url = null;
        }
        if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) fail(sub, `expected an http:// or https:// URL, got "${sub.args[0]}"`, 'kubernetes');
        kube.endpoint = sub.args[0];
        break;
      }
      case 'fallthrough':
        kube.fallthrough = sub.args.map((zone) => (zone === '.' ? '' : zoneName(sub, zone)));
        break;
      case 'noendpoints':
        args(sub, 0, 0, 'kubernetes');
        kube.noEndpoints = true;
        break;
      case 'endpoint_pod_names':
        args(sub, 0, 0, 'kubernetes');
        kube.endpointPodNames = true;
        break;
      case 'ignore':
        args(sub, 1, 1, 'kubernetes');
        if (sub.args[0] !== 'empty_service') fail(sub, `expected empty_service, got "${sub.args[0]}"`, 'kubernetes');
        kube.ignoreEmptyService = true;
        break;
      default:
        fail(sub, 'unknown option (pods, fallthrough, ttl, namespaces, labels, kubeconfig, noendpoints, endpoint_pod_names, ignore)', 'kubernetes');
    }
  }
  if (kube.endpoint !== undefined && kube.kubeconfig !== undefined) fail(d, 'give either endpoint or kubeconfig, not both');
  return kube;
}

function applyForward(d: CorefileDirective, context: Context): void {
  const { settings } = context;
  args(d, 2, 1000);
  const from = normalizeName(d.args[0]);
  const to = forwardTargets(d, context.resolvConf);
  const forward = settings.forward;
  if (from === '') {
    if (forward.upstreams.length > 0) fail(d, 'a second forward for the root zone');
    forward.upstreams = to;
  } else {
    forward.stubDomains.push(`${zoneName(d, from)}=${to.join(',')}`);
  }
  for (const sub of d.block ?? []) {
    switch (sub.name) {
      case 'max_concurrent':
        args(sub, 1, 1, 'forward');
        forward.maxConcurrent = count(sub, sub.args[0], 1, 1_000_000, 'forward');
        break;
      case 'policy':
        args(sub, 1, 1, 'forward');
        if (!['random', 'round_robin', 'sequential'].includes(sub.args[0])) fail(sub, `expected random, round_robin or sequential, got "${sub.args[0]}"`, 'forward');
        forward.policy = sub.args[0] as UpstreamPolicy;
        break;
      case 'health_check':
        args(sub, 1, 2, 'forward');
        forward.healthCheckMs = durationMs(sub, sub.args[0], 'forward');
        if (sub.args[1] !== undefined && sub.args[1] !== 'no_rec') fail(sub, `expected no_rec, got "${sub.args[1]}"`, 'forward');
        break;
      case 'force_tcp':
        args(sub, 0, 0, 'forward');
        forward.forceTcp = true;
        break;
      case 'prefer_udp':
        args(sub, 0, 0, 'forward');
        note(settings, sub, 'the default already: UDP first, TCP when truncated', 'forward');
        break;
      case 'except':
        args(sub, 1, 1000, 'forward');
        for (const domain of sub.args) (forward.except ??= []).push(domain === '.' ? '' : zoneName(sub, domain));
        break;
      case 'expire':
        args(sub, 1, 1, 'forward');
        forward.expireMs = durationMs(sub, sub.args[0], 'forward');
        break;
      default:
        fail(sub, 'unknown option (max_concurrent, policy, health_check, force_tcp, prefer_udp, except, expire)', 'forward');
    }
  }
}

/** `TO...`: addresses (`dns://` allowed) or resolv.conf-style files (their nameserver lines). */
function forwardTargets(d: CorefileDirective, resolvConf: string): string[] {
  const targets: string[] = [];
  for (const raw of d.args.slice(1)) {
    const text = raw.replace(/^dns:\/\//i, '');
    if (/^[a-z]+:\/\//i.test(text)) fail(d, `only plain DNS upstreams are supported, not "${raw}"`);
    if (text.startsWith('/') || text.startsWith('.')) {
      const path = text === '/etc/resolv.conf' ? resolvConf : resolvePath(d, text);
      try {
        targets.push(...readResolvConfNameservers(path, 'forward').map(formatUpstream));
      } catch (err) {
        fail(d, (err as Error).message);
      }
      continue;
    }
    try {
      targets.push(formatUpstream(parseUpstreamAddress(text, 'forward')));
    } catch (err) {
      fail(d, (err as Error).message);
    }
  }
  return targets;
}

function applyCache(d: CorefileDirective, settings: CorefileSettings): void {
  args(d, 0, 1000);
  const cache = settings.cache;
  cache.size = CACHE_DEFAULT_CAPACITY;
  // CoreDNS's MINTTL default (dnsutil.MinimalDefaultTTL): a record TTL below 5 s, even 0, is cached 5 s.
  cache.minTtl = cache.minDenialTtl = CACHE_DEFAULT_MIN_TTL;
  if (d.args[0] !== undefined) cache.maxTtl = cache.maxDenialTtl = count(d, d.args[0], 1, 86_400 * 7);
  if (d.args.length > 1) note(settings, d, 'zones after the TTL are not used: the cache holds forwarded answers of every zone');
  for (const sub of d.block ?? []) {
    switch (sub.name) {
      case 'success':
      case 'denial': {
        args(sub, 1, 3, 'cache');
        // One cache holds both kinds here: its capacity is the larger of the two.
        cache.size = Math.max(sub.name === 'success' ? 0 : cache.size, count(sub, sub.args[0], 0, 10_000_000, 'cache'));
        if (sub.args[1] !== undefined) {
          const ttl = count(sub, sub.args[1], 1, 86_400 * 7, 'cache');
          if (sub.name === 'success') cache.maxTtl = ttl;
          else cache.maxDenialTtl = ttl;
        }
        if (sub.args[2] !== undefined) {
          const minTtl = count(sub, sub.args[2], 0, 86_400 * 7, 'cache');
          if (sub.name === 'success') cache.minTtl = minTtl;
          else cache.minDenialTtl = minTtl;
        }
        break;
      }
      case 'prefetch':
        // CoreDNS: prefetch AMOUNT [[DURATION] [PERCENTAGE%]]; AMOUNT 0 turns it off; hits further apart
        // than DURATION start the count over.
        args(sub, 1, 3, 'cache');
        cache.prefetchHits = count(sub, sub.args[0], 0, 1_000_000, 'cache');
        for (const arg of sub.args.slice(1)) {
          if (arg.endsWith('%')) cache.prefetchPercent = count(sub, arg.slice(0, -1), 10, 90, 'cache');
          else {
            cache.prefetchWindowMs = durationMs(sub, arg, 'cache');
            if (cache.prefetchWindowMs <= 0) fail(sub, `the duration must be more than 0, got "${arg}"`, 'cache');
          }
        }
        break;
      case 'serve_stale':
        args(sub, 0, 2, 'cache');
        cache.serveStaleSeconds = sub.args[0] === undefined ? 3600 : durationMs(sub, sub.args[0], 'cache') / 1000;
        break;
      default:
        fail(sub, 'unknown option (success, denial, prefetch, serve_stale)', 'cache');
    }
  }
}

function note(settings: CorefileSettings, d: CorefileDirective, behaviour: string, parent?: string): void {
  settings.notes.push({ file: d.file, line: d.line, directive: parent ? `${parent} ${d.name}` : d.name, behaviour });
}

/** `:8080` (all interfaces), `HOST:PORT`, `[v6]:PORT`. */
function address(d: CorefileDirective, text: string): ListenAddress {
  try {
    return parseListen(text.startsWith(':') ? `0.0.0.0${text}` : text, d.name);
  } catch (err) {
    fail(d, (err as Error).message.replace(/^\S+: /, ''));
  }
}

function zoneName(d: CorefileDirective, zone: string): string {
  try {
    return parseZone(zone, d.name);
  } catch (err) {
    fail(d, (err as Error).message.replace(/^\S+: /, ''));
  }
}

function durationMs(d: CorefileDirective, text: string, parent?: string): number {
  const ms = parseGoDuration(text);
  if (ms === null) fail(d, `expected a duration such as 5s, 1m or 500ms, got "${text}"`, parent);
  return ms;
}

function count(d: CorefileDirective, text: string, min: number, max: number, parent?: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) fail(d, `expected a whole number ${min}..${max}, got "${text}"`, parent);
  return value;
}

function args(d: CorefileDirective, min: number, max: number, parent?: string): void {
  if (d.args.length < min || d.args.length > max) {
    const expected = min === max ? `${min}` : max >= 100 ? `at least ${min}` : `${min}..${max}`;
    fail(d, `expected ${expected} argument${max === 1 && min === max ? '' : 's'}, got ${d.args.length}`, parent);
  }
}

function noBlock(d: CorefileDirective): void {
  if (d.block !== null) fail(d, 'takes no { ... } block');
}

function noBlockAllowed(d: CorefileDirective, options: string[]): void {
  for (const sub of d.block ?? []) if (!options.includes(sub.name)) fail(sub, `unknown option (${options.join(', ')})`, d.name);
}

function resolvePath(d: CorefileDirective, path: string): string {
  return isAbsolute(path) ? path : resolve(dirname(d.file), path);
}

function fail(d: CorefileDirective, message: string, parent?: string): never {
  const directive = parent ? `${parent} ${d.name}` : d.name;
  throw new ClusterDnsError(ErrorCodes.COREFILE_DIRECTIVE, `directive ${directive}: ${message}`, { location: { file: d.file, line: d.line } });
}
