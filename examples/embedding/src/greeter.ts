// The "application": it calls another service by its Kubernetes short name, as it would inside a pod.
import * as http from 'node:http';
import type { LookupFunction } from 'node:net';

export interface GreeterOptions {
  /** The Service to call (a short name such as `hello`, searched from the pod's namespace). */
  host: string;
  port: number;
  /** Injected in tests (clusterdns' dns.lookup); the system resolver otherwise. */
  lookup?: LookupFunction;
}

export function fetchGreeting(options: GreeterOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: options.host, port: options.port, path: '/greeting', lookup: options.lookup, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    request.on('error', reject);
  });
}
