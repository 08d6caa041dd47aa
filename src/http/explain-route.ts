// GET /explain?name=NAME[&type=TYPE][&fromPod=NS/NAME] on the metrics listener: `clusterdns explain` of the
// running server, as JSON (docs/explain.md). It names the cluster's objects, so only loopback clients are
// answered (403 for others) unless the server was started to answer any (--explain-from-anywhere).
import type http from 'node:http';
import { isIP } from 'node:net';
import { ClusterDnsError } from '../errors.js';

export interface ExplainRoute {
  explain(name: string, type: string | undefined, fromPod: string | undefined): Promise<unknown>;
  /** Answer clients from any address, not only loopback. */
  fromAnywhere: boolean;
}

/** 127.0.0.0/8, ::1, and IPv4 loopback as a dual-stack socket reports it (::ffff:127.x.y.z). */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  return plain === '::1' || (isIP(plain) === 4 && plain.startsWith('127.'));
}

export async function serveExplain(
  request: http.IncomingMessage,
  route: ExplainRoute,
  reply: (status: number, body: string, contentType?: string) => void,
): Promise<void> {
  const json = (status: number, value: unknown) => reply(status, `${JSON.stringify(value, null, 2)}\n`, 'application/json; charset=utf-8');
  if (!route.fromAnywhere && !isLoopback(request.socket.remoteAddress)) {
    return json(403, { error: 'explain answers loopback clients only (start the server with --explain-from-anywhere to allow others)' });
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') return json(405, { error: 'use GET' });
  const params = new URL(request.url ?? '/', 'http://localhost').searchParams;
  const name = params.get('name');
  if (name === null || name === '') return json(400, { error: 'name is required: /explain?name=NAME&type=TYPE' });
  try {
    json(200, await route.explain(name, params.get('type') ?? undefined, params.get('fromPod') ?? undefined));
  } catch (err) {
    if (err instanceof ClusterDnsError) return json(400, { error: err.message, code: err.code });
    throw err;
  }
}
