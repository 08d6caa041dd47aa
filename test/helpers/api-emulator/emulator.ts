// A Kubernetes API server emulator for tests: HTTP on 127.0.0.1, speaking the real list/watch protocol for
// the four resources clusterdns reads, so the reflector is driven through the real @kubernetes/client-node.
//
// Protocol (as kube-apiserver behaves):
// - GET <collection>[?limit=N&continue=T&labelSelector=..&fieldSelector=..] → a <Kind>List with
//   metadata.resourceVersion (the snapshot's RV, the same on every page) and metadata.continue while more
//   remain. Items carry no kind/apiVersion. Pages come from one consistent snapshot; a continue token whose
//   snapshot was compacted away → 410 Gone (Status reason Expired).
// - GET <collection>?watch=true&resourceVersion=RV → 200 and a chunked stream of JSON lines
//   `{"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}`: first every change after RV, then live
//   changes. Without RV (or RV "0") it starts with a synthetic ADDED per existing object. An RV older than the
//   last compaction → one ERROR event with a 410 Status, then the stream ends (or HTTP 410, see `goneAs`).
//   Objects moving in/out of a selector arrive as ADDED/DELETED. `timeoutSeconds` ends the stream cleanly.
//   `allowWatchBookmarks=true` → BOOKMARK events on `sendBookmarks()` (and every `bookmarkIntervalMs`).
// - Collections: /api/v1/{services,pods,namespaces}, /api/v1/namespaces/NS/{services,pods},
//   /apis/discovery.k8s.io/v1/endpointslices, /apis/discovery.k8s.io/v1/namespaces/NS/endpointslices.
// - Bearer token auth when `token` is set (401 otherwise); with `rbac`, every request is authorized against
//   that table as kube-apiserver's RBAC authorizer does (403 Forbidden otherwise, see rbac.ts).
//
// Fault injection: failRequests (HTTP 500 or any status), dropWatches (connections cut mid-stream),
// endWatches (clean end), expireWatches (ERROR 410 inside the stream), silent watches (headers and then
// nothing, or not even headers), latency before every response, refuseConnections/acceptConnections (close
// the listener and reopen it on the same port), truncated list bodies; and, each off until asked for, latency
// for list pages or watches of one resource only (delayRequests) and a paginated list failing at page K
// (failListPages: a status, or the connection reset before any byte of that page).
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { forbiddenMessage, rbacAllows, type RbacRequest, type RbacTable } from './rbac.js';
import { parseFieldSelector, parseLabelSelector, type Matcher } from './selectors.js';

export type Json = Record<string, unknown>;
export type ResourceName = 'services' | 'endpointslices' | 'pods' | 'namespaces';
export type EmulatedKind = 'Service' | 'EndpointSlice' | 'Pod' | 'Namespace';
type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface ResourceDef {
  resource: ResourceName;
  kind: EmulatedKind;
  apiVersion: string;
  namespaced: boolean;
}

export const RESOURCES: Record<ResourceName, ResourceDef> = {
  services: { resource: 'services', kind: 'Service', apiVersion: 'v1', namespaced: true },
  endpointslices: {
    resource: 'endpointslices',
    kind: 'EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
    namespaced: true,
  },
  pods: { resource: 'pods', kind: 'Pod', apiVersion: 'v1', namespaced: true },
  namespaces: { resource: 'namespaces', kind: 'Namespace', apiVersion: 'v1', namespaced: false },
};

const RESOURCE_OF_KIND: Record<EmulatedKind, ResourceName> = {
  Service: 'services',
  EndpointSlice: 'endpointslices',
  Pod: 'pods',
  Namespace: 'namespaces',
};

export interface RecordedRequest {
  method: string;
  path: string;
  resource?: ResourceName;
  /** The namespace of a namespaced collection path. */
  namespace?: string;
  watch: boolean;
  query: Record<string, string>;
  /** The HTTP status sent (undefined while a response is pending or when the connection was cut). */
  status?: number;
  at: number;
  /** When the connection of this request closed or its response finished. */
  closedAt?: number;
}

export interface ApiEmulatorOptions {
  /** Require `Authorization: Bearer <token>`. */
  token?: string;
  /** Send BOOKMARK events to bookmark-enabled watches at this interval (off by default). */
  bookmarkIntervalMs?: number;
  /** First resourceVersion handed out (real clusters are far from 1). */
  initialResourceVersion?: number;
  /** How an expired resourceVersion is reported to a watch: an ERROR event in a 200 stream (default) or HTTP 410. */
  goneAs?: 'event' | 'status';
  /** Authorize each request against this RBAC table (every request allowed when absent). */
  rbac?: RbacTable;
  /**
   * A watch from a resourceVersion newer than this server's (a client that watched a cluster restored from an
   * older etcd backup): 'wait' (default) streams from it as if it were current; 'status' answers HTTP 504
   * "Too large resource version" with cause ResourceVersionTooLarge, as kube-apiserver's watch cache does.
   */
  tooLargeResourceVersion?: 'wait' | 'status';
}

interface Watcher {
  resource: ResourceName;
  namespace?: string;
  label: Matcher;
  field: Matcher;
  bookmarks: boolean;
  res: ServerResponse;
  /** Silent watches never write (a black-holed connection). */
  silent: boolean;
  timer?: NodeJS.Timeout;
  closed: boolean;
}

interface LogEntry {
  rv: number;
  resource: ResourceName;
  type: ChangeType;
  object: Json;
  previous?: Json;
}

interface Snapshot {
  rv: number;
  items: Json[];
}

interface InjectedFailure {
  status: number;
  remaining: number;
  watch?: boolean;
  resource?: ResourceName;
  message?: string;
}

export type SilentMode = 'off' | 'after-headers' | 'before-headers';

/** Which requests a fault applies to: list or watch, and one resource; unset = any. */
export interface RequestFilter {
  watch?: boolean;
  resource?: ResourceName;
}

interface InjectedDelay extends RequestFilter {
  ms: number;
}

/** How a list page fails: an HTTP status with a Status body, or 'reset' (the socket destroyed, no answer). */
export type PageFailure = number | 'reset';

interface InjectedPageFailure {
  /** 0-based page of a paginated list (page 0 is the request without a continue token). */
  page: number;
  failure: PageFailure;
  remaining: number;
  resource?: ResourceName;
}

function keyOf(object: Json): string {
  const meta = object.metadata as Json;
  return meta.namespace ? `${String(meta.namespace)}/${String(meta.name)}` : String(meta.name);
}

function metaOf(object: Json): Json {
  return object.metadata as Json;
}

export function statusObject(code: number, reason: string, message: string): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  410: 'Expired',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export class ApiEmulator extends EventEmitter {
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private readonly options: ApiEmulatorOptions;
  private readonly objects = new Map<ResourceName, Map<string, Json>>();
  private log: LogEntry[] = [];
  private rv: number;
  private compactedRv = 0;
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly watchers = new Set<Watcher>();
  private readonly sockets = new Set<Socket>();
  private failures: InjectedFailure[] = [];
  private silentMode: SilentMode = 'off';
  private latencyMs = 0;
  private delays: InjectedDelay[] = [];
  private pageFailures: InjectedPageFailure[] = [];
  private truncateLists = 0;
  private bookmarkTimer?: NodeJS.Timeout;
  private boundPort = 0;
  private isListening = false;

  constructor(options: ApiEmulatorOptions = {}) {
    super();
    this.setMaxListeners(100);
    this.options = options;
    this.rv = options.initialResourceVersion ?? 1000;
    for (const name of Object.keys(RESOURCES) as ResourceName[]) this.objects.set(name, new Map());
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) this.sendStatus(res, 500, String(err));
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 1000;
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  // ---------------------------------------------------------------- lifecycle

  async start(port = 0): Promise<this> {
    await this.listen(port);
    if (this.options.bookmarkIntervalMs) {
      this.bookmarkTimer = setInterval(() => this.sendBookmarks(), this.options.bookmarkIntervalMs);
      this.bookmarkTimer.unref();
    }
    return this;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.boundPort}`;
  }

  get listening(): boolean {
    return this.isListening;
  }

  async close(): Promise<void> {
    if (this.bookmarkTimer) clearInterval(this.bookmarkTimer);
    await this.refuseConnections();
  }

  /** Close the listener and cut every connection: clients now get ECONNREFUSED. */
  async refuseConnections(): Promise<void> {
    for (const w of [...this.watchers]) this.closeWatcher(w, 'destroy');
    const closed = this.isListening
      ? new Promise<void>((resolve) => this.server.close(() => resolve()))
      : Promise.resolve();
    this.isListening = false;
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Reopen the listener on the same port. */
  async acceptConnections(): Promise<void> {
    if (this.isListening) return;
    await this.listen(this.boundPort);
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', onError);
        this.boundPort = (this.server.address() as AddressInfo).port;
        this.isListening = true;
        resolve();
      });
    });
  }

  // ---------------------------------------------------------------- cluster state

  get resourceVersion(): number {
    return this.rv;
  }

  /** Create or replace an object (kind taken from `object.kind`); returns the stored copy. */
  apply(object: Json): Json {
    const kind = object.kind as EmulatedKind;
    const resource = RESOURCE_OF_KIND[kind];
    if (!resource) throw new Error(`emulator: unsupported kind ${String(kind)}`);
    const def = RESOURCES[resource];
    const stored = structuredClone(object);
    stored.apiVersion = def.apiVersion;
    const meta = (stored.metadata ??= {}) as Json;
    if (typeof meta.name !== 'string' || meta.name === '') throw new Error('emulator: metadata.name required');
    if (def.namespaced) meta.namespace ??= 'default';
    else delete meta.namespace;
    const key = keyOf(stored);
    const store = this.objects.get(resource)!;
    const previous = store.get(key);
    meta.uid = previous ? metaOf(previous).uid : (meta.uid ?? randomUUID());
    meta.creationTimestamp = previous ? metaOf(previous).creationTimestamp : new Date().toISOString();
    meta.resourceVersion = String(++this.rv);
    store.set(key, stored);
    this.record({ rv: this.rv, resource, type: previous ? 'MODIFIED' : 'ADDED', object: stored, previous });
    return structuredClone(stored);
  }

  /** Apply several objects in order. */
  applyAll(objects: Json[]): void {
    for (const o of objects) this.apply(o);
  }

  /** Delete an object; the DELETED event carries the deletion's resourceVersion. Returns false when absent. */
  delete(kind: EmulatedKind, namespace: string | undefined, name: string): boolean {
    const resource = RESOURCE_OF_KIND[kind];
    const key = RESOURCES[resource].namespaced ? `${namespace ?? 'default'}/${name}` : name;
    const store = this.objects.get(resource)!;
    const previous = store.get(key);
    if (!previous) return false;
    store.delete(key);
    const object = structuredClone(previous);
    metaOf(object).resourceVersion = String(++this.rv);
    this.record({ rv: this.rv, resource, type: 'DELETED', object, previous });
    return true;
  }

  get(kind: EmulatedKind, namespace: string | undefined, name: string): Json | undefined {
    const resource = RESOURCE_OF_KIND[kind];
    const key = RESOURCES[resource].namespaced ? `${namespace ?? 'default'}/${name}` : name;
    const found = this.objects.get(resource)!.get(key);
    return found ? structuredClone(found) : undefined;
  }

  count(resource: ResourceName): number {
    return this.objects.get(resource)!.size;
  }

  /**
   * Forget history up to `rv` (default: now), as etcd compaction and the watch cache window do: watches
   * resuming from an older resourceVersion and continue tokens of older lists get 410 Gone.
   */
  compact(rv = this.rv): void {
    this.compactedRv = Math.max(this.compactedRv, rv);
    this.log = this.log.filter((e) => e.rv > this.compactedRv);
    for (const [id, snap] of this.snapshots) if (snap.rv < this.compactedRv) this.snapshots.delete(id);
  }

  private record(entry: LogEntry): void {
    this.log.push(entry);
    if (this.log.length > 200_000) this.compact(this.log[100_000].rv);
    for (const w of this.watchers) {
      if (w.resource !== entry.resource || w.silent || w.closed) continue;
      const event = this.eventFor(w, entry);
      if (event) this.writeEvent(w, event.type, event.object);
    }
    this.emit('change', entry);
  }

  /** The event a watcher sees for a change, with selector transitions (ADDED/DELETED on entering/leaving). */
  private eventFor(w: Watcher, e: LogEntry): { type: ChangeType; object: Json } | null {
    const inScope = (o: Json | undefined): boolean =>
      o !== undefined &&
      (w.namespace === undefined || metaOf(o).namespace === w.namespace) &&
      w.label(o) &&
      w.field(o);
    if (e.type === 'ADDED') return inScope(e.object) ? { type: 'ADDED', object: e.object } : null;
    if (e.type === 'DELETED') return inScope(e.previous) ? { type: 'DELETED', object: e.object } : null;
    const before = inScope(e.previous);
    const after = inScope(e.object);
    if (before && after) return { type: 'MODIFIED', object: e.object };
    if (after) return { type: 'ADDED', object: e.object };
    if (before) return { type: 'DELETED', object: e.object };
    return null;
  }

  // ---------------------------------------------------------------- fault injection

  /** The next `count` matching requests answer `status` (default 500) with a Status body saying `message`. */
  failRequests(count: number, options: { status?: number; watch?: boolean; resource?: ResourceName; message?: string } = {}): void {
    this.failures.push({ status: options.status ?? 500, remaining: count, watch: options.watch, resource: options.resource, message: options.message });
  }

  clearFailures(): void {
    this.failures = [];
    this.pageFailures = [];
  }

  /**
   * 'after-headers': new watches get 200 and then nothing, ever (no events, no bookmarks, no timeout end).
   * 'before-headers': new watch requests are never answered. 'off' restores normal behaviour for new watches.
   */
  setSilentWatches(mode: SilentMode): void {
    this.silentMode = mode;
  }

  /** Delay every response (list and watch headers) by `ms`. */
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /**
   * Delay the requests matching `filter` by `ms` before answering (added to setLatency's): each page of a
   * paginated list is late by `ms`, a watch gets its headers `ms` late. Replaces an earlier delay with the
   * same filter; `ms` 0 removes it.
   */
  delayRequests(ms: number, filter: RequestFilter = {}): void {
    this.delays = this.delays.filter((d) => d.watch !== filter.watch || d.resource !== filter.resource);
    if (ms > 0) this.delays.push({ ms, ...filter });
  }

  /**
   * The next `count` paginated lists (of `resource`, or any) fail at their page `page` (0-based): that request
   * answers `failure` (an HTTP status) or has its connection reset. Earlier pages were served normally.
   */
  failListPages(page: number, failure: PageFailure, options: { count?: number; resource?: ResourceName } = {}): void {
    this.pageFailures.push({ page, failure, remaining: options.count ?? 1, resource: options.resource });
  }

  /** The next `count` list responses are cut off half-way through the body. */
  truncateNextLists(count: number): void {
    this.truncateLists = count;
  }

  /** Cut active watch connections mid-stream (socket destroyed, no clean chunked end). */
  dropWatches(resource?: ResourceName): number {
    return this.closeMatching(resource, 'destroy');
  }

  /** End active watches cleanly, as the server does when timeoutSeconds elapses. */
  endWatches(resource?: ResourceName): number {
    return this.closeMatching(resource, 'end');
  }

  /** Send an ERROR event with a 410 Status into active watches and end them (after compacting history). */
  expireWatches(resource?: ResourceName): number {
    this.compact();
    let n = 0;
    for (const w of [...this.watchers]) {
      if (resource && w.resource !== resource) continue;
      if (!w.res.headersSent) w.res.writeHead(200, { 'Content-Type': 'application/json' });
      this.writeEvent(w, 'ERROR', statusObject(410, 'Expired', 'too old resource version'));
      this.closeWatcher(w, 'end');
      n++;
    }
    return n;
  }

  /** Send a BOOKMARK with the current resourceVersion to every bookmark-enabled, non-silent watch. */
  sendBookmarks(): number {
    let n = 0;
    for (const w of this.watchers) {
      if (!w.bookmarks || w.silent || w.closed) continue;
      const def = RESOURCES[w.resource];
      this.writeEvent(w, 'BOOKMARK', {
        kind: def.kind,
        apiVersion: def.apiVersion,
        metadata: { resourceVersion: String(this.rv) },
      });
      n++;
    }
    return n;
  }

  private closeMatching(resource: ResourceName | undefined, how: 'end' | 'destroy'): number {
    let n = 0;
    for (const w of [...this.watchers]) {
      if (resource && w.resource !== resource) continue;
      this.closeWatcher(w, how);
      n++;
    }
    return n;
  }

  private closeWatcher(w: Watcher, how: 'end' | 'destroy'): void {
    if (w.closed) return;
    w.closed = true;
    if (w.timer) clearTimeout(w.timer);
    this.watchers.delete(w);
    if (how === 'end' && w.res.headersSent) w.res.end();
    else w.res.destroy();
    this.emit('watch-closed', w.resource);
  }

  // ---------------------------------------------------------------- observation

  /** Index to pass as `since` to waitForRequest: only requests after this point count. */
  mark(): number {
    return this.requests.length;
  }

  activeWatches(resource?: ResourceName): number {
    let n = 0;
    for (const w of this.watchers) if (!resource || w.resource === resource) n++;
    return n;
  }

  /** Resolve with the first request (from index `since`) matching `predicate`; reject after `timeoutMs`. */
  waitForRequest(
    predicate: (r: RecordedRequest) => boolean,
    options: { since?: number; timeoutMs?: number } = {},
  ): Promise<RecordedRequest> {
    const since = options.since ?? 0;
    const found = this.requests.slice(since).find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const onRequest = (r: RecordedRequest): void => {
        if (!predicate(r)) return;
        clearTimeout(timer);
        this.off('request', onRequest);
        resolve(r);
      };
      const timer = setTimeout(() => {
        this.off('request', onRequest);
        reject(new Error(`emulator: no matching request within ${options.timeoutMs ?? 5000} ms`));
      }, options.timeoutMs ?? 5000);
      this.on('request', onRequest);
    });
  }

  /** Resolve once at least `count` watches of `resource` are open (and answered with headers). */
  async waitForWatches(count: number, resource?: ResourceName, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.activeWatches(resource) < count) {
      if (Date.now() > deadline) {
        throw new Error(`emulator: ${this.activeWatches(resource)} of ${count} ${resource ?? ''} watches open`);
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(t);
          this.off('watch-open', done);
          resolve();
        };
        const t = setTimeout(done, 20);
        this.on('watch-open', done);
      });
    }
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    const route = matchRoute(url.pathname);
    const watch = query.watch === 'true' || query.watch === '1';
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      resource: route?.resource,
      namespace: route?.namespace,
      watch,
      query,
      at: Date.now(),
    };
    this.requests.push(rec);
    res.on('finish', () => (rec.status = res.statusCode));
    res.on('close', () => (rec.closedAt = Date.now()));
    this.emit('request', rec);

    if (this.options.token !== undefined && req.headers.authorization !== `Bearer ${this.options.token}`) {
      rec.status = 401;
      return this.sendStatus(res, 401, 'Unauthorized');
    }
    if (req.method !== 'GET') return this.sendStatus(res, 405, `method ${req.method} not allowed`);
    if (!route) return this.sendStatus(res, 404, `the server could not find the requested resource`);
    if (this.options.rbac) {
      const attributes: RbacRequest = {
        verb: watch ? 'watch' : 'list',
        apiGroup: RESOURCES[route.resource].apiVersion.includes('/') ? RESOURCES[route.resource].apiVersion.split('/')[0] : '',
        resource: route.resource,
        namespace: route.namespace ?? '',
      };
      if (!rbacAllows(this.options.rbac, attributes)) {
        rec.status = 403;
        return this.sendStatus(res, 403, forbiddenMessage(this.options.rbac, attributes));
      }
    }

    const delayMs =
      this.latencyMs +
      this.delays
        .filter((d) => (d.watch === undefined || d.watch === watch) && (d.resource === undefined || d.resource === route.resource))
        .reduce((sum, d) => sum + d.ms, 0);
    if (delayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (res.destroyed) return;
    }
    const failure = this.failures.find(
      (f) =>
        f.remaining > 0 &&
        (f.watch === undefined || f.watch === watch) &&
        (f.resource === undefined || f.resource === route.resource),
    );
    if (failure) {
      failure.remaining--;
      this.failures = this.failures.filter((f) => f.remaining > 0);
      rec.status = failure.status;
      return this.sendStatus(res, failure.status, failure.message ?? 'injected failure');
    }

    let label: Matcher;
    let field: Matcher;
    try {
      label = parseLabelSelector(query.labelSelector);
      field = parseFieldSelector(query.fieldSelector);
    } catch (err) {
      return this.sendStatus(res, 400, (err as Error).message);
    }
    if (watch) this.serveWatch(res, rec, route, query, label, field);
    else this.serveList(res, rec, route, query, label, field);
  }

  private sendStatus(res: ServerResponse, code: number, message: string): void {
    if (res.destroyed) return;
    const body = JSON.stringify(statusObject(code, REASONS[code] ?? 'Unknown', message));
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  private matching(route: Route, label: Matcher, field: Matcher): Json[] {
    const out: Json[] = [];
    for (const o of this.objects.get(route.resource)!.values()) {
      if (route.namespace !== undefined && metaOf(o).namespace !== route.namespace) continue;
      if (label(o) && field(o)) out.push(o);
    }
    return out;
  }

  private serveList(
    res: ServerResponse,
    rec: RecordedRequest,
    route: Route,
    query: Record<string, string>,
    label: Matcher,
    field: Matcher,
  ): void {
    const def = RESOURCES[route.resource];
    const limit = Math.max(0, Number.parseInt(query.limit ?? '0', 10) || 0);
    let snapshot: Snapshot;
    let id: string;
    let offset = 0;
    let pageNumber = 0;
    if (query.continue) {
      let token: { id: string; rv: number; offset: number; page?: number };
      try {
        token = JSON.parse(Buffer.from(query.continue, 'base64url').toString('utf8'));
      } catch {
        return this.sendStatus(res, 400, 'invalid continue token');
      }
      const found = this.snapshots.get(token.id);
      if (!found || token.rv < this.compactedRv) {
        rec.status = 410;
        return this.sendStatus(
          res,
          410,
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      snapshot = found;
      id = token.id;
      offset = token.offset;
      pageNumber = token.page ?? 0;
    } else {
      const items = this.matching(route, label, field).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
      snapshot = { rv: this.rv, items };
      id = randomUUID();
    }
    const pageFailure = this.pageFailures.find(
      (f) => f.remaining > 0 && f.page === pageNumber && (f.resource === undefined || f.resource === route.resource),
    );
    if (pageFailure) {
      pageFailure.remaining--;
      this.pageFailures = this.pageFailures.filter((f) => f.remaining > 0);
      if (pageFailure.failure === 'reset') {
        res.destroy();
        return;
      }
      rec.status = pageFailure.failure;
      return this.sendStatus(res, pageFailure.failure, `injected failure at page ${pageNumber}`);
    }
    const page = limit > 0 ? snapshot.items.slice(offset, offset + limit) : snapshot.items.slice(offset);
    const next = offset + page.length;
    const metadata: Json = { resourceVersion: String(snapshot.rv) };
    if (next < snapshot.items.length) {
      this.snapshots.set(id, snapshot);
      if (this.snapshots.size > 64) this.snapshots.delete(this.snapshots.keys().next().value as string);
      metadata.continue = Buffer.from(JSON.stringify({ id, rv: snapshot.rv, offset: next, page: pageNumber + 1 })).toString('base64url');
      metadata.remainingItemCount = snapshot.items.length - next;
    } else {
      this.snapshots.delete(id);
    }
    const items = page.map((o) => {
      const { kind: _kind, apiVersion: _apiVersion, ...rest } = o;
      return rest;
    });
    const body = JSON.stringify({ kind: `${def.kind}List`, apiVersion: def.apiVersion, metadata, items });
    if (this.truncateLists > 0) {
      this.truncateLists--;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.write(body.slice(0, Math.floor(body.length / 2)), () => res.destroy());
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  private serveWatch(
    res: ServerResponse,
    rec: RecordedRequest,
    route: Route,
    query: Record<string, string>,
    label: Matcher,
    field: Matcher,
  ): void {
    const w: Watcher = {
      resource: route.resource,
      namespace: route.namespace,
      label,
      field,
      bookmarks: query.allowWatchBookmarks === 'true',
      res,
      silent: this.silentMode !== 'off',
      closed: false,
    };
    res.on('close', () => {
      if (w.closed) return;
      w.closed = true;
      if (w.timer) clearTimeout(w.timer);
      this.watchers.delete(w);
      this.emit('watch-closed', w.resource);
    });
    if (this.silentMode === 'before-headers') {
      this.watchers.add(w);
      return;
    }

    const from = query.resourceVersion;
    const fromRv = from === undefined || from === '' || from === '0' ? null : Number(from);
    if (fromRv !== null && (!Number.isFinite(fromRv) || fromRv < this.compactedRv)) {
      const message = `too old resource version: ${from} (${this.compactedRv})`;
      rec.status = 410;
      if (this.options.goneAs === 'status') return this.sendStatus(res, 410, message);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ type: 'ERROR', object: statusObject(410, 'Expired', message) }) + '\n');
      return;
    }

    if (fromRv !== null && fromRv > this.rv && this.options.tooLargeResourceVersion === 'status') {
      rec.status = 504;
      const status = statusObject(504, 'Timeout', `Too large resource version: ${from}, current: ${this.rv}`);
      status.details = { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 };
      const body = JSON.stringify(status);
      res.writeHead(504, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }

    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    rec.status = 200;
    this.watchers.add(w);
    if (!w.silent) {
      if (fromRv === null) {
        for (const o of this.matching(route, label, field)) this.writeEvent(w, 'ADDED', o);
      } else {
        for (const e of this.log) {
          if (e.rv <= fromRv || e.resource !== w.resource) continue;
          const event = this.eventFor(w, e);
          if (event) this.writeEvent(w, event.type, event.object);
        }
      }
      const timeout = Number(query.timeoutSeconds);
      if (Number.isFinite(timeout) && timeout > 0) {
        w.timer = setTimeout(() => this.closeWatcher(w, 'end'), timeout * 1000);
      }
    }
    this.emit('watch-open', w.resource);
  }

  private writeEvent(w: Watcher, type: string, object: Json): void {
    if (w.closed || w.res.destroyed) return;
    w.res.write(JSON.stringify({ type, object }) + '\n');
  }
}

interface Route {
  resource: ResourceName;
  namespace?: string;
}

function matchRoute(path: string): Route | null {
  let m = /^\/api\/v1\/(services|pods|namespaces)$/.exec(path);
  if (m) return { resource: m[1] as ResourceName };
  m = /^\/api\/v1\/namespaces\/([^/]+)\/(services|pods)$/.exec(path);
  if (m) return { resource: m[2] as ResourceName, namespace: decodeURIComponent(m[1]) };
  if (path === '/apis/discovery.k8s.io/v1/endpointslices') return { resource: 'endpointslices' };
  m = /^\/apis\/discovery\.k8s\.io\/v1\/namespaces\/([^/]+)\/endpointslices$/.exec(path);
  if (m) return { resource: 'endpointslices', namespace: decodeURIComponent(m[1]) };
  return null;
}
