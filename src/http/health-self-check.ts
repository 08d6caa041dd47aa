// CoreDNS `health` asks its own /health once a second and records how long that took
// (coredns_health_request_duration_seconds, plugin/health/overloaded.go): a local request should take well under
// a millisecond, so a rising duration says the event loop is falling behind its query load.
import http from 'node:http';
import type { ListenAddress } from '../config/serve-options.js';
import { SLIM_TIME_BUCKETS, createHistogram, observe, type BucketHistogram } from '../server/bucket-histogram.js';

const INTERVAL_MS = 1000;
/** CoreDNS gives up on a self-check after 3 s (and counts a failure). */
const TIMEOUT_MS = 3000;

export interface HealthSelfCheck {
  readonly durations: BucketHistogram;
  failures: number;
  stop(): void;
}

export function startHealthSelfCheck(address: ListenAddress): HealthSelfCheck {
  // A wildcard bind answers on loopback too; the check must not leave the machine.
  const host = address.host === '0.0.0.0' ? '127.0.0.1' : address.host === '::' ? '::1' : address.host;
  const check: HealthSelfCheck = { durations: createHistogram(SLIM_TIME_BUCKETS), failures: 0, stop: () => clearInterval(timer) };
  const probe = () => {
    const started = performance.now();
    const request = http.get({ host, port: address.port, path: '/health', timeout: TIMEOUT_MS, agent: false }, (response) => {
      response.resume();
      response.on('end', () => {
        if (response.statusCode === 200) observe(check.durations, SLIM_TIME_BUCKETS, (performance.now() - started) / 1000);
        else check.failures++;
      });
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => check.failures++);
  };
  const timer = setInterval(probe, INTERVAL_MS);
  timer.unref();
  return check;
}
