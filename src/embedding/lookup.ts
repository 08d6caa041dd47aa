// A `dns.lookup`-compatible function answered by a clusterdns server over UDP, with the search path a pod in
// `namespace` would have (resolv.conf `search <ns>.svc.<zone> svc.<zone> <zone>`, `options ndots:5`), so an
// app under test can connect to `hello` or `hello.default` through `http.get({ lookup })`.
//
// Names outside the cluster zones (localhost, example.com, an ExternalName target) go to the system resolver
// (node:dns lookup), as CoreDNS would forward them — unless `fallback: false`.
import { normalizeName } from '../wire/name.js';
import * as dns from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import { EmbeddingErrorCodes, embeddingError, lookupError } from './errors.js';

export type { LookupAddress, LookupOptions };

type OneCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;
type AllCallback = (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;
type AnyCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family: number) => void;

/** Overloads of `dns.lookup`; assignable to the `lookup` option of net, http, https, undici and friends. */
export interface ClusterLookup {
  (hostname: string, callback: OneCallback): void;
  (hostname: string, family: number, callback: OneCallback): void;
  (hostname: string, options: dns.LookupOneOptions, callback: OneCallback): void;
  (hostname: string, options: dns.LookupAllOptions, callback: AllCallback): void;
  (hostname: string, options: LookupOptions, callback: AnyCallback): void;
  /** `util.promisify(lookup)` gives `{ address, family }` (or the array with `all: true`), like dns.promises.lookup. */
  [promisify.custom]: ClusterLookupPromise;
}

export interface ClusterLookupPromise {
  (hostname: string, options?: number | dns.LookupOneOptions): Promise<LookupAddress>;
  (hostname: string, options: dns.LookupAllOptions): Promise<LookupAddress[]>;
  (hostname: string, options: LookupOptions): Promise<LookupAddress | LookupAddress[]>;
}

export interface LookupSettings {
  /** The namespace short names are searched from; default "default". */
  namespace?: string;
  /** The search list; default `<namespace>.svc.<zone>`, `svc.<zone>`, `<zone>` for the first zone. */
  search?: readonly string[];
  /** Names with at least this many dots are tried as given first; default 5 (Kubernetes' resolv.conf). */
  ndots?: number;
  /** Send names outside the cluster zones to the system resolver; default true. */
  fallback?: boolean;
}

export interface LookupContext {
  /** Queries the clusterdns server (a Resolver with setServers([server])). */
  resolver: Resolver;
  /** Cluster zones, lowercase without a trailing dot; the first is used for the default search list. */
  zones: readonly string[];
  isClosed(): boolean;
}

const MAX_CNAME_DEPTH = 8;


/** The candidate names, in the order a stub resolver with this search list and ndots would try them. */
export function searchCandidates(hostname: string, search: readonly string[], ndots: number): string[] {
  if (hostname.endsWith('.')) return [normalizeName(hostname)];
  const name = hostname.toLowerCase();
  const dots = name.split('.').length - 1;
  const searched = search.map((suffix) => `${name}.${suffix}`);
  return dots >= ndots ? [name, ...searched] : [...searched, name];
}

function parseFamily(value: unknown): 0 | 4 | 6 {
  if (value === undefined || value === null || value === 0) return 0;
  if (value === 4 || value === 'IPv4') return 4;
  if (value === 6 || value === 'IPv6') return 6;
  const err = new TypeError(`The argument 'family' must be one of: 0, 4, 6. Received ${String(value)}`) as NodeJS.ErrnoException;
  err.code = 'ERR_INVALID_ARG_VALUE';
  throw err;
}

interface Query {
  family: 0 | 4 | 6;
  hints: number;
  order: 'ipv4first' | 'ipv6first' | 'verbatim';
}

function queryOptions(options: LookupOptions): Query {
  const family = parseFamily(options.family);
  const order =
    options.order ?? (options.verbatim === undefined ? (dns.getDefaultResultOrder?.() ?? 'verbatim') : options.verbatim ? 'verbatim' : 'ipv4first');
  return { family, hints: options.hints ?? 0, order: order as Query['order'] };
}

function isAbsent(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOTFOUND' || code === 'ENODATA';
}

async function attempt<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

function systemLookup(name: string, query: Query): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    dns.lookup(name, { family: query.family, hints: query.hints, all: true, order: query.order }, (err, addresses) =>
      err ? reject(err) : resolve(addresses),
    );
  });
}

/** Build a lookup function over `context` for one namespace's search path. */
export function createClusterLookup(context: LookupContext, settings: LookupSettings = {}): ClusterLookup {
  const zones = context.zones.map(normalizeName);
  const namespace = normalizeName(settings.namespace ?? 'default');
  const search = (settings.search ?? [`${namespace}.svc.${zones[0]}`, `svc.${zones[0]}`, zones[0]!]).map(normalizeName);
  const ndots = settings.ndots ?? 5;
  const fallback = settings.fallback ?? true;

  const inZones = (name: string): boolean => zones.some((zone) => name === zone || name.endsWith(`.${zone}`));

  const closedError = () => embeddingError(EmbeddingErrorCodes.SERVER_CLOSED, 'lookup: the clusterdns server was closed');

  /** Addresses of one absolute cluster name; [] when it does not exist or has none of the family. */
  async function queryName(hostname: string, name: string, query: Query, depth: number): Promise<LookupAddress[]> {
    const v4mapped = query.family === 6 && (query.hints & dns.V4MAPPED) !== 0;
    const wantA = query.family !== 6 || v4mapped;
    const wantAAAA = query.family !== 4;
    const [a, aaaa] = await Promise.all([
      wantA ? attempt(context.resolver.resolve4(name)) : Promise.resolve({ value: [] as string[] }),
      wantAAAA ? attempt(context.resolver.resolve6(name)) : Promise.resolve({ value: [] as string[] }),
    ]);
    for (const result of [a, aaaa]) {
      if ('error' in result && !isAbsent(result.error)) {
        if (context.isClosed()) throw closedError();
        throw lookupError('EAI_AGAIN', hostname, result.error);
      }
    }
    const v4 = 'value' in a ? a.value : [];
    const v6 = 'value' in aaaa ? aaaa.value : [];
    let out: LookupAddress[];
    if (query.family === 6) {
      const mapped = v4.map((address) => ({ address: `::ffff:${address}`, family: 6 }));
      const native = v6.map((address) => ({ address, family: 6 }));
      out = !v4mapped ? native : native.length === 0 || (query.hints & dns.ALL) !== 0 ? [...native, ...mapped] : native;
    } else {
      const four = v4.map((address) => ({ address, family: 4 }));
      const six = v6.map((address) => ({ address, family: 6 }));
      out = query.order === 'ipv6first' ? [...six, ...four] : [...four, ...six];
    }
    if (out.length > 0 || depth >= MAX_CNAME_DEPTH) return out;

    // An ExternalName (CNAME) whose target is outside the zones: the answer has only the CNAME.
    const cname = await attempt(context.resolver.resolveCname(name));
    if (!('value' in cname) || cname.value.length === 0) return [];
    const target = normalizeName(cname.value[0]!);
    if (inZones(target)) return queryName(hostname, target, query, depth + 1);
    return fallback ? attemptSystem(target, query) : [];
  }

  async function attemptSystem(name: string, query: Query): Promise<LookupAddress[]> {
    try {
      return await systemLookup(name, query);
    } catch (err) {
      if (isAbsent(err)) return [];
      throw err;
    }
  }

  async function resolveAll(hostname: string, query: Query): Promise<LookupAddress[]> {
    if (context.isClosed()) throw closedError();
    const literal = isIP(hostname);
    if (literal !== 0) return [{ address: hostname, family: literal }]; // as dns.lookup: literals as they are
    if (hostname === '' || hostname === '.') throw lookupError('ENOTFOUND', hostname);
    for (const candidate of searchCandidates(hostname, search, ndots)) {
      const found = inZones(candidate)
        ? await queryName(hostname, candidate, query, 0)
        : fallback
          ? await attemptSystem(candidate, query)
          : [];
      if (found.length > 0) return found;
    }
    throw lookupError('ENOTFOUND', hostname);
  }

  function lookup(hostname: string, optionsOrCallback: unknown, maybeCallback?: unknown): void {
    const callback = (typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback) as AnyCallback;
    if (typeof callback !== 'function') {
      const err = new TypeError('The "callback" argument must be of type function') as NodeJS.ErrnoException;
      err.code = 'ERR_INVALID_ARG_TYPE';
      throw err;
    }
    const raw = typeof optionsOrCallback === 'function' ? {} : optionsOrCallback;
    const options: LookupOptions = typeof raw === 'number' ? { family: raw } : ((raw ?? {}) as LookupOptions);
    const query = queryOptions(options); // throws synchronously on a bad family, as dns.lookup does
    resolveAll(String(hostname), query).then(
      (addresses) => {
        if (options.all) (callback as unknown as AllCallback)(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, options.all ? [] : '', 0),
    );
  }

  const promised = (async (hostname: string, options?: number | LookupOptions) => {
    const opts: LookupOptions = typeof options === 'number' ? { family: options } : (options ?? {});
    const addresses = await resolveAll(String(hostname), queryOptions(opts));
    return opts.all ? addresses : addresses[0];
  }) as ClusterLookupPromise;

  return Object.assign(lookup, { [promisify.custom]: promised }) as unknown as ClusterLookup;
}
