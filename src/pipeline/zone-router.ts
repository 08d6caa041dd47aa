// The handler behind a listener: each question goes to the server block whose zone is the longest suffix of its
// name, as CoreDNS's dnsserver picks a block (core/dnsserver/server.go ServeDNS); a name no block serves is
// REFUSED. A Corefile reload swaps the routes: the listeners stay, queries already in an old chain finish there.
import { RCode } from '../wire/types.js';
import type { DnsRequest, Handler, HandlerResult } from './handler.js';

export interface ZoneRoute {
  /** Lowercase, no trailing dot; '' is the root zone. */
  zone: string;
  handler: Handler;
}

export class ZoneRouter implements Handler {
  readonly name = 'reload';
  /** Longest zone first, so the first match is the most specific. */
  private routes: ZoneRoute[] = [];

  /** Sends every later query to these routes. */
  swap(routes: readonly ZoneRoute[]): void {
    this.routes = [...routes].sort((a, b) => b.zone.length - a.zone.length);
  }

  handle(request: DnsRequest): HandlerResult | Promise<HandlerResult> {
    const routes = this.routes;
    // Only before the first configuration is in place, which the CLI sets before it binds.
    if (routes.length === 0) return { kind: 'error', rcode: RCode.SERVFAIL };
    if (routes.length === 1 && routes[0].zone === '') return routes[0].handler.handle(request);
    const qname = request.query.qname;
    for (const route of routes) {
      const { zone } = route;
      if (zone === '' || qname === zone || (qname.endsWith(zone) && qname.charCodeAt(qname.length - zone.length - 1) === 46)) return route.handler.handle(request);
    }
    return { kind: 'error', rcode: RCode.REFUSED, cause: `no server block serves ${qname || '.'}` };
  }
}
