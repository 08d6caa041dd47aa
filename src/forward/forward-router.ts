// Which upstreams a name goes to: a stub domain's own pool for names at or under it (kube-dns stubDomains,
// CoreDNS `forward DOMAIN ...`), the longest matching domain winning; the default pool (`.`) for the rest;
// nothing when there is no default pool, so outside names stay REFUSED. Names at or under an `except` domain
// (CoreDNS forward `except`) are not forwarded by any route: the handler skips them to the next one.
import type { UpstreamPool } from './upstream-pool.js';

export interface ForwardRoute {
  /** Lowercase, no trailing dot; "" is the root, the default route. */
  domain: string;
  pool: UpstreamPool;
}

export class ForwardRouter {
  /** Longest domain first, so the first match is the most specific. */
  private readonly routes: readonly ForwardRoute[];
  /** Lowercase, no trailing dot; "" excludes every name. */
  private readonly except: readonly string[];

  constructor(routes: readonly ForwardRoute[], except: readonly string[] = []) {
    this.except = except.slice();
    const domains = new Set<string>();
    for (const route of routes) {
      if (domains.has(route.domain)) throw new Error(`two forward routes for "${route.domain || '.'}"`);
      domains.add(route.domain);
    }
    this.routes = routes.slice().sort((a, b) => b.domain.length - a.domain.length);
  }

  /** The pool for a lowercase qname (no trailing dot), or null when no route covers it. */
  route(qname: string): UpstreamPool | null {
    // Indexed loops: this runs for every forwarded query, cache hits included.
    const except = this.except;
    for (let i = 0; i < except.length; i++) if (atOrUnder(qname, except[i])) return null;
    const routes = this.routes;
    for (let i = 0; i < routes.length; i++) if (atOrUnder(qname, routes[i].domain)) return routes[i].pool;
    return null;
  }

  /** The default (`.`) pool, when there is one: loop detection probes through it. */
  get defaultPool(): UpstreamPool | null {
    return this.routes.find((route) => route.domain === '')?.pool ?? null;
  }

  get pools(): UpstreamPool[] {
    return this.routes.map((route) => route.pool);
  }

  /** Closes every pool (health checks, sockets). */
  close(): void {
    for (const route of this.routes) route.pool.close();
  }
}

function atOrUnder(qname: string, domain: string): boolean {
  if (domain === '' || qname === domain) return true;
  // Under the domain: ends with it, after a label boundary.
  return qname.length > domain.length && qname.endsWith(domain) && qname.charCodeAt(qname.length - domain.length - 1) === 46;
}
