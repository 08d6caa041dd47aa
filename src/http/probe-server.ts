// The CoreDNS-compatible HTTP endpoints (plugins health, ready, prometheus): /health answers 200 while the
// process runs, lameduck included; /ready answers 200 only once every data source finished its first full load
// and the server is not shutting down (503 with the reason otherwise, so a rollout never routes queries to an
// instance that would answer SERVFAIL or is about to stop); /metrics is Prometheus text.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenAddress } from '../config/serve-options.js';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import { serveExplain, type ExplainRoute } from './explain-route.js';

export interface ProbeRoutes {
  health?: () => boolean;
  /** Why the server is not ready (the 503's body), or null when it is. */
  unready?: () => string | null;
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** GET /explain (src/http/explain-route.ts). */
  explain?: ExplainRoute;
}

/** One HTTP listener serving some of /health, /ready and /metrics (CoreDNS uses :8080, :8181, :9153). */
export class ProbeServer {
  private server: http.Server | null = null;

  constructor(private readonly routes: ProbeRoutes) {}

  async listen(address: ListenAddress): Promise<ListenAddress> {
    const server = http.createServer((request, response) => void this.serve(request, response));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(new ClusterDnsError(ErrorCodes.SERVER_LISTEN, `HTTP address ${address.host}:${address.port} cannot be bound (${err.code ?? err.message})`, { cause: err })),
      );
      server.listen(address.port, address.host, () => resolve());
    });
    return { host: address.host, port: (server.address() as AddressInfo).port };
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async serve(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    const { health, unready, metrics, explain } = this.routes;
    try {
      if (path === '/health' && health) return reply(response, health() ? 200 : 503, health() ? 'OK' : 'unhealthy');
      if (path === '/ready' && unready) {
        const reason = unready();
        return reply(response, reason === null ? 200 : 503, reason ?? 'OK');
      }
      if (path === '/metrics' && metrics) {
        const { contentType, body } = await metrics();
        return reply(response, 200, body, contentType);
      }
      if (path === '/explain' && explain) return await serveExplain(request, explain, (status, body, type) => reply(response, status, body, type));
      reply(response, 404, 'not found');
    } catch (err) {
      reply(response, 500, (err as Error).message);
    }
  }
}

function reply(response: http.ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
