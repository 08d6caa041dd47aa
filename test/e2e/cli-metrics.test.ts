// /metrics over HTTP from the built CLI, after the traffic that creates each series: every metric of CoreDNS
// that dashboards and alert rules use is there, with CoreDNS's labels and bucket bounds. The same run checks
// --log-queries (CoreDNS `log`) and the SERVFAIL log with its cause, once per cause (CoreDNS `errors`).
import dgram from 'node:dgram';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiEmulator, endpointSlice, namespace, pod, service, tempDir, writeKubeconfig, type Json } from '../helpers/api-emulator/index.js';
import { dig } from '../helpers/dig.js';
import { startCli, type RunningCli } from '../helpers/spawn-cli.js';
import { TestUpstream, a } from '../helpers/upstream/test-upstream.js';

const TOKEN = 'metrics-token';
/** The list of issue "Operations": what a CoreDNS dashboard and its alert rules read. */
const COREDNS_METRICS = [
  'coredns_build_info',
  'coredns_dns_requests_total',
  'coredns_dns_responses_total',
  'coredns_dns_request_duration_seconds',
  'coredns_dns_request_size_bytes',
  'coredns_dns_response_size_bytes',
  'coredns_dns_do_requests_total',
  'coredns_panics_total',
  'coredns_cache_entries',
  'coredns_cache_hits_total',
  'coredns_cache_misses_total',
  'coredns_cache_prefetch_total',
  'coredns_cache_served_stale_total',
  'coredns_forward_requests_total',
  'coredns_forward_responses_total',
  'coredns_forward_request_duration_seconds',
  'coredns_forward_healthcheck_failures_total',
  'coredns_forward_max_concurrent_rejects_total',
  'coredns_kubernetes_dns_programming_duration_seconds',
  'coredns_autopath_success_total',
  'coredns_reload_failed_total',
  'coredns_health_request_duration_seconds',
];
const NODE_PROCESS_METRICS = ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes'];
/** CoreDNS's bucket bounds as Prometheus prints them (plugin.TimeBuckets, the size buckets, SlimTimeBuckets, the programming SLI's). */
const TIME_LE = ['0.00025', '0.0005', '0.001', '0.002', '0.004', '0.008', '0.016', '0.032', '0.064', '0.128', '0.256', '0.512', '1.024', '2.048', '4.096', '8.192', '+Inf'];
const SIZE_LE = ['0', '100', '200', '300', '400', '511', '1023', '2047', '4095', '8291', '16000', '32000', '48000', '64000', '+Inf'];
const SLIM_LE = ['0.00025', '0.0025', '0.025', '0.25', '2.5', '+Inf'];
const PROGRAMMING_LE = [...Array.from({ length: 20 }, (_, i) => String(Number((0.001 * 2 ** i).toPrecision(12)))), '+Inf'];

interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseSeries(text: string): Series[] {
  const series: Series[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/i.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/gi)) labels[pair[1]] = pair[2];
    series.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return series;
}

const withName = (all: Series[], name: string) => all.filter((s) => s.name === name || s.name === `${name}_bucket` || s.name === `${name}_sum` || s.name === `${name}_count`);
const buckets = (all: Series[], name: string, match: Record<string, string> = {}) =>
  all.filter((s) => s.name === `${name}_bucket` && Object.entries(match).every(([k, v]) => s.labels[k] === v)).map((s) => s.labels.le);

/** A UDP port nobody listens on: a forward there fails at once (ICMP port unreachable). */
async function closedPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

describe('clusterdns serve: /metrics, --log-queries and the SERVFAIL log', () => {
  let emu: ApiEmulator;
  let upstream: TestUpstream;
  let cli: RunningCli;
  let cleanupDir: () => Promise<void>;
  let metricsUrl: string;
  const scrape = async () => parseSeries(await (await fetch(metricsUrl)).text());

  beforeAll(async () => {
    emu = await new ApiEmulator({ token: TOKEN }).start();
    emu.applyAll([
      namespace('default'),
      namespace('shop'),
      service('default', 'hello', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] }),
      service('default', 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }),
      endpointSlice('default', 'db-1', 'db', { endpoints: [{ addresses: ['10.244.0.5'], hostname: 'db-0' }], ports: [{ name: 'pg', port: 5432 }] }),
      pod('shop', 'client', { ip: '127.0.0.2' }),
    ]);
    upstream = new TestUpstream().answer('www.example.com', a('www.example.com', '192.0.2.100'));
    const upstreamPort = await upstream.start();
    const dir = await tempDir();
    cleanupDir = dir.remove;
    const kubeconfig = await writeKubeconfig(dir.dir, { contexts: [{ name: 'emulator', server: emu.url, token: TOKEN }] });
    cli = await startCli([
      '--kubeconfig', kubeconfig,
      '--upstream', `127.0.0.1:${upstreamPort}`,
      '--stub-domain', `dead.test=127.0.0.1:${await closedPort()}`,
      '--autopath', '@kubernetes',
      '--health', '127.0.0.1:0', '--ready', '127.0.0.1:0', '--metrics', '127.0.0.1:0',
      '--log-queries',
    ]);
    const address = cli.logs.find((line) => line.msg === 'http listening' && line.endpoint === '/metrics')?.address;
    metricsUrl = `http://${String(address)}/metrics`;
    await cli.waitForLog((line) => line.msg === 'synced with the Kubernetes API');
  });
  afterAll(async () => {
    expect(await cli.stop()).toBe(0);
    await Promise.all([emu.close(), upstream.close()]);
    await cleanupDir();
  });

  it('publishes every CoreDNS metric of the list, and Node\'s process metrics, with CoreDNS\'s labels and buckets', async () => {
    expect((await dig(cli.port, 'hello.default.svc.cluster.local')).status).toBe('NOERROR');
    expect((await dig(cli.port, '+tcp', 'hello.default.svc.cluster.local', 'AAAA')).status).toBe('NOERROR');
    expect((await dig(cli.port, '+dnssec', 'hello.default.svc.cluster.local')).status).toBe('NOERROR');
    expect((await dig(cli.port, 'www.example.com')).answer).toEqual(['www.example.com. 300 IN A 192.0.2.100']);
    expect((await dig(cli.port, 'www.example.com')).status).toBe('NOERROR'); // from the cache
    expect((await dig(cli.port, '-b', '127.0.0.2', 'hello.default.shop.svc.cluster.local')).answer[0]).toMatch(/CNAME hello\.default\.svc\.cluster\.local\.$/);
    // Two failures in a row mark the stub upstream down; its health checks fail from then on.
    const failed = await Promise.all(['x.dead.test', 'w.dead.test'].map((name) => dig(cli.port, '+time=6', name)));
    expect(failed.map((result) => result.status)).toEqual(['SERVFAIL', 'SERVFAIL']);
    // A headless Service's endpoints change, stamped by the endpoints controller 2 s ago.
    const slice = endpointSlice('default', 'db-2', 'db', { endpoints: [{ addresses: ['10.244.0.6'], hostname: 'db-1' }], ports: [{ name: 'pg', port: 5432 }] });
    (slice.metadata as Json).annotations = { 'endpoints.kubernetes.io/last-change-trigger-time': new Date(Date.now() - 2000).toISOString() };
    emu.apply(slice);

    // Bounded: the health self-check runs once a second, the slice arrives through the watch.
    let all: Series[] = [];
    for (let attempt = 0; attempt < 100; attempt++) {
      all = await scrape();
      const ready = (name: string) => all.some((s) => s.name === name && s.value > 0);
      if (ready('coredns_health_request_duration_seconds_count') && ready('coredns_kubernetes_dns_programming_duration_seconds_count') && ready('coredns_forward_healthcheck_failures_total')) break;
      await delay(100); // the poll interval of a bounded loop: these counters have no event to await
    }
    const missing = [...COREDNS_METRICS, ...NODE_PROCESS_METRICS].filter((name) => withName(all, name).length === 0);
    expect(missing).toEqual([]);

    const server = { server: 'dns://', zone: '.', view: '' };
    expect(withName(all, 'coredns_build_info')[0].labels).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), goversion: process.version });
    const requests = withName(all, 'coredns_dns_requests_total');
    expect(requests.find((s) => s.labels.proto === 'udp' && s.labels.type === 'A')).toMatchObject({ labels: { ...server, family: '1' } });
    expect(requests.find((s) => s.labels.proto === 'tcp' && s.labels.type === 'AAAA')?.value).toBe(1);
    expect(withName(all, 'coredns_dns_responses_total').find((s) => s.labels.rcode === 'SERVFAIL')).toMatchObject({ labels: { ...server, plugin: '' }, value: 2 });
    expect(withName(all, 'coredns_dns_do_requests_total')).toEqual([{ name: 'coredns_dns_do_requests_total', labels: server, value: 1 }]);
    expect(buckets(all, 'coredns_dns_request_duration_seconds', server)).toEqual(TIME_LE);
    expect(buckets(all, 'coredns_dns_request_size_bytes', { ...server, proto: 'udp' })).toEqual(SIZE_LE);
    expect(buckets(all, 'coredns_dns_response_size_bytes', { ...server, proto: 'tcp' })).toEqual(SIZE_LE);
    expect(buckets(all, 'coredns_health_request_duration_seconds')).toEqual(SLIM_LE);
    expect(buckets(all, 'coredns_kubernetes_dns_programming_duration_seconds', { service_kind: 'headless_with_selector' })).toEqual(PROGRAMMING_LE);
    // Stamped 2 s before it was applied: counted between 1.024 and 4.096 s.
    const programmed = (le: string) => all.find((s) => s.name === 'coredns_kubernetes_dns_programming_duration_seconds_bucket' && s.labels.le === le)?.value;
    expect([programmed('1.024'), programmed('4.096')]).toEqual([0, 1]);
    expect(withName(all, 'coredns_autopath_success_total')[0]).toMatchObject({ labels: { server: 'dns://' }, value: 1 });
    expect(withName(all, 'coredns_cache_hits_total').find((s) => s.labels.type === 'success')?.value).toBe(1);
    expect(withName(all, 'coredns_forward_requests_total').some((s) => /^127\.0\.0\.1:\d+$/.test(s.labels.to))).toBe(true);
    expect(buckets(all, 'coredns_forward_request_duration_seconds', { rcode: 'NOERROR' })).toEqual(TIME_LE);
    expect(withName(all, 'coredns_reload_failed_total')).toEqual([{ name: 'coredns_reload_failed_total', labels: {}, value: 0 }]);
  }, 60_000);

  it('--log-queries writes one common-log-format line per query; a SERVFAIL is logged with its cause once per interval', async () => {
    await dig(cli.port, '+dnssec', 'hello.default.svc.cluster.local');
    const line = await cli.waitForLog((entry) => entry.plugin === 'log' && String(entry.msg).includes('"A IN hello.default.svc.cluster.local. udp') && String(entry.msg).includes(' true '));
    expect(line.msg).toMatch(/^127\.0\.0\.1:\d+ - \d+ "A IN hello\.default\.svc\.cluster\.local\. udp \d+ true 1232" NOERROR qr,aa,rd \d+ \d+\.\d{9}s$/);

    expect((await dig(cli.port, '+time=6', 'y.dead.test')).status).toBe('SERVFAIL');
    expect((await dig(cli.port, '+time=6', 'z.dead.test')).status).toBe('SERVFAIL');
    await cli.waitForLog((entry) => entry.plugin === 'log' && String(entry.msg).includes('z.dead.test.'));
    const servfails = cli.logs.filter((entry) => entry.rcode === 'SERVFAIL');
    expect(servfails, JSON.stringify(servfails)).toHaveLength(1);
    expect(servfails[0]).toMatchObject({ level: 50, qname: expect.stringMatching(/^[xw]\.dead\.test$/), qtype: 'A', cause: expect.stringMatching(/^forward: no upstream answered \(127\.0\.0\.1:\d+: /) });
  }, 30_000);
});

describe('clusterdns serve --workers 2: /metrics', () => {
  it('sums the workers\' histograms, per-type requests and forward and cache counters; the workers write the query log', async () => {
    const upstream = new TestUpstream().answer('www.example.com', a('www.example.com', '192.0.2.100'));
    const upstreamPort = await upstream.start();
    const example = new URL('../../examples/cluster.yaml', import.meta.url).pathname;
    const cli = await startCli(['--manifest', example, '--workers', '2', '--upstream', `127.0.0.1:${upstreamPort}`, '--metrics', '127.0.0.1:0', '--log-queries'], 20_000);
    try {
      const address = cli.logs.find((line) => line.msg === 'http listening' && line.endpoint === '/metrics')?.address;
      // Several queries, so both workers answer some (the kernel spreads datagrams over the shared socket).
      const QUERIES = 12;
      for (let i = 0; i < QUERIES; i++) expect((await dig(cli.port, 'hello.default.svc.cluster.local')).status).toBe('NOERROR');
      for (let i = 0; i < 2; i++) expect((await dig(cli.port, 'www.example.com')).status).toBe('NOERROR');
      const all = parseSeries(await (await fetch(`http://${String(address)}/metrics`)).text());
      const value = (name: string, labels: Record<string, string> = {}) =>
        all.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
      expect(value('coredns_dns_request_duration_seconds_count')).toBe(QUERIES + 2);
      expect(value('coredns_dns_requests_total', { type: 'A', proto: 'udp' })).toBe(QUERIES + 2);
      expect(value('coredns_dns_response_size_bytes_count', { proto: 'udp' })).toBe(QUERIES + 2);
      // Each worker has its own cache: the second ask is a hit when it reached the same worker, else a miss.
      expect(value('coredns_cache_misses_total') + value('coredns_cache_hits_total')).toBe(2);
      // Upstream: every miss, and the loop-detection probe each worker sends once it listens (CoreDNS `loop`).
      expect(value('coredns_forward_requests_total')).toBe(value('coredns_cache_misses_total') + 2);
      expect(buckets(all, 'coredns_forward_request_duration_seconds', { rcode: 'NOERROR' })).toEqual(TIME_LE);
      // The workers write the query log (they log only warnings of their own otherwise).
      const queryLines = () => cli.logs.filter((entry) => entry.plugin === 'log');
      await cli.waitForLog(() => queryLines().length >= QUERIES + 2);
      expect(queryLines().every((entry) => typeof entry.worker === 'number')).toBe(true);
    } finally {
      expect(await cli.stop()).toBe(0);
      await upstream.close();
    }
  }, 60_000);
});
