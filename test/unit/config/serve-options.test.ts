import { describe, expect, it } from 'vitest';
import { parseServeArgs, parseWorkers } from '../../../src/config/serve-options.js';
import { ErrorCodes } from '../../../src/errors.js';

describe('parseServeArgs', () => {
  it('applies the documented defaults', () => {
    expect(parseServeArgs([])).toEqual({
      manifests: [],
      namespaces: [],
      listen: { host: '127.0.0.1', port: 1053 },
      zones: ['cluster.local'],
      ttl: 5,
      pods: 'verified',
      logFormat: 'json',
      logLevel: 'info',
      workers: 1,
      noKubernetes: false,
      upstreams: [],
      resolvConf: '/etc/resolv.conf',
      stubDomains: [],
      cacheSize: 10_000,
      cacheTtl: 30,
      serveStale: 0,
      maxConcurrent: 1000,
      lameduckMs: 5000,
      logQueries: false,
      loadbalance: false,
      endpointPodNames: false,
      tcpMaxConnections: 10_000,
      tcpIdleTimeoutMs: 10_000,
      tcpMaxInFlight: 128,
    });
  });

  const good: Array<[string[], Record<string, unknown>]> = [
    [['--manifest', 'a.yaml', '--manifest', 'b.json'], { manifests: ['a.yaml', 'b.json'] }],
    [['--listen', '0.0.0.0:53'], { listen: { host: '0.0.0.0', port: 53 } }],
    [['--listen', '[::1]:0'], { listen: { host: '::1', port: 0 } }],
    [['--listen', 'localhost:1053'], { listen: { host: 'localhost', port: 1053 } }],
    [['--zone', 'Cluster.Local.', '--zone', 'east.example'], { zones: ['cluster.local', 'east.example'] }],
    [['--ttl', '0'], { ttl: 0 }],
    [['--kubeconfig', '/k/config', '--context', 'kind-dev'], { kubeconfig: '/k/config', context: 'kind-dev' }],
    [['--namespaces', 'a,b', '--namespaces', ' c '], { namespaces: ['a', 'b', 'c'] }],
    [['--labels', 'app=web,tier!=db'], { labels: 'app=web,tier!=db' }],
    [['--ttl', '3600'], { ttl: 3600 }],
    [['--zones', 'zones', '--no-kubernetes'], { zoneDirectory: 'zones', noKubernetes: true }],
    [['--upstream', '127.0.0.1:5353', '--upstream', '[::1]'], { upstreams: ['127.0.0.1:5353', '[::1]'] }],
    [['--stub-domain', 'corp.example=10.0.0.1,10.0.0.2:5353'], { stubDomains: ['corp.example=10.0.0.1,10.0.0.2:5353'] }],
    [['--cache-size', '0', '--cache-ttl', '300', '--max-concurrent', '50'], { cacheSize: 0, cacheTtl: 300, maxConcurrent: 50 }],
    [['--forward-expire', '500ms'], { forwardExpireMs: 500 }],
    [['--endpoint-pod-names'], { endpointPodNames: true }],
    [['--serve-stale', '1h'], { serveStale: 3600 }],
    [['--lameduck', '500ms', '--log-queries'], { lameduckMs: 500, logQueries: true }],
    [['--loadbalance'], { loadbalance: true }],
    [['--explain-from-anywhere'], { explainFromAnywhere: true }],
    [
      ['--allow-from', '10.0.0.0/8, fd00::/8', '--allow-from', '127.0.0.1'],
      { acl: [{ zones: [''], policies: [{ action: 'allow', nets: ['10.0.0.0/8', 'fd00::/8', '127.0.0.1'] }, { action: 'block' }] }] },
    ],
    [['--allow-from', '192.0.2.0/24', '--deny-action', 'drop'], { acl: [{ zones: [''], policies: [{ action: 'allow', nets: ['192.0.2.0/24'] }, { action: 'drop' }] }] }],
    [['--tcp-max-conns', '20', '--tcp-idle-timeout', '30s', '--tcp-max-in-flight', '16'], { tcpMaxConnections: 20, tcpIdleTimeoutMs: 30_000, tcpMaxInFlight: 16 }],
    [['--lameduck', '0'], { lameduckMs: 0 }],
    [['--lameduck', '2m'], { lameduckMs: 120_000 }],
    [['--serve-stale', '90'], { serveStale: 90 }],
    [['--listen', '[::1]:53'], { listen: { host: '::1', port: 53 } }],
    [['--listen', '127.0.0.1:0'], { listen: { host: '127.0.0.1', port: 0 } }],
    [['--listen', '[::]:65535'], { listen: { host: '::', port: 65535 } }],
    [['--zone', 'cluster.local', '--zone', 'CLUSTER.local'], { zones: ['cluster.local', 'cluster.local'] }],
    [['--pods', 'disabled'], { pods: 'disabled' }],
    [['--pods', 'verified'], { pods: 'verified' }],
    [['--log-level', 'silent'], { logLevel: 'silent' }],
    [['--manifest=c.yaml'], { manifests: ['c.yaml'] }],
    [['--health', '0.0.0.0:8080', '--ready', '127.0.0.1:0', '--metrics', '[::]:9153'], {
      health: { host: '0.0.0.0', port: 8080 },
      ready: { host: '127.0.0.1', port: 0 },
      metrics: { host: '::', port: 9153 },
    }],
    [['--pods', 'insecure'], { pods: 'insecure' }],
    [['--autopath', '@kubernetes'], { autopath: '@kubernetes', autopathNamespace: undefined }],
    [['--autopath', '/etc/resolv.conf'], { autopath: '/etc/resolv.conf' }],
    [['--autopath-namespace', 'shop'], { autopath: '@kubernetes', autopathNamespace: 'shop' }],
    [['--log-format', 'pretty', '--log-level', 'debug'], { logFormat: 'pretty', logLevel: 'debug' }],
    [['--workers', '2'], { workers: 2 }],
    [['--workers', '256'], { workers: 256 }],
    [['--workers=1'], { workers: 1 }],
  ];
  it.each(good)('%j', (argv, expected) => {
    expect(parseServeArgs(argv)).toMatchObject(expected);
  });

  const bad: Array<[string[], string, string]> = [
    [['--ttl', '3601'], ErrorCodes.CONFIG_INVALID_VALUE, '--ttl'],
    [['--allow-from', '10.0.0.0/33'], ErrorCodes.CONFIG_INVALID_VALUE, '--allow-from'],
    [['--allow-from', ','], ErrorCodes.CONFIG_INVALID_VALUE, '--allow-from'],
    [['--allow-from', '10.0.0.0/8', '--deny-action', 'allow'], ErrorCodes.CONFIG_INVALID_VALUE, '--deny-action'],
    [['--deny-action', 'drop'], ErrorCodes.CONFIG_INVALID_VALUE, '--deny-action'],
    [['--tcp-max-conns', '0'], ErrorCodes.CONFIG_INVALID_VALUE, '--tcp-max-conns'],
    [['--tcp-idle-timeout', '500ms'], ErrorCodes.CONFIG_INVALID_VALUE, '--tcp-idle-timeout'],
    [['--tcp-max-in-flight', '0'], ErrorCodes.CONFIG_INVALID_VALUE, '--tcp-max-in-flight'],
    [['--cache-ttl', '0'], ErrorCodes.CONFIG_INVALID_VALUE, '--cache-ttl'],
    [['--cache-size', 'lots'], ErrorCodes.CONFIG_INVALID_VALUE, '--cache-size'],
    [['--serve-stale', '1y'], ErrorCodes.CONFIG_INVALID_VALUE, '--serve-stale'],
    [['--max-concurrent', '0'], ErrorCodes.CONFIG_INVALID_VALUE, '--max-concurrent'],
    [['--forward-expire', 'soon'], ErrorCodes.CONFIG_INVALID_VALUE, '--forward-expire'],
    [['--lameduck', '5 s'], ErrorCodes.CONFIG_INVALID_VALUE, '--lameduck'],
    [['--lameduck', '2h'], ErrorCodes.CONFIG_INVALID_VALUE, '--lameduck'],
    [['--lameduck', '61m'], ErrorCodes.CONFIG_INVALID_VALUE, '--lameduck'],
    [['--ttl', '-1'], ErrorCodes.CONFIG_INVALID_FLAG, '--ttl'],
    [['--ttl', '1.5'], ErrorCodes.CONFIG_INVALID_VALUE, '--ttl'],
    [['--listen', '127.0.0.1'], ErrorCodes.CONFIG_INVALID_VALUE, '--listen'],
    [['--listen', '127.0.0.1:65536'], ErrorCodes.CONFIG_INVALID_VALUE, '--listen'],
    [['--listen', '::1:53'], ErrorCodes.CONFIG_INVALID_VALUE, '--listen'],
    [['--zone', 'bad..zone'], ErrorCodes.CONFIG_INVALID_VALUE, '--zone'],
    [['--zone', '-x.local'], ErrorCodes.CONFIG_INVALID_FLAG, '--zone'],
    [['--pods', 'maybe'], ErrorCodes.CONFIG_INVALID_VALUE, '--pods'],
    [['--log-format', 'xml'], ErrorCodes.CONFIG_INVALID_VALUE, '--log-format'],
    [['--namespaces', 'Bad_Name'], ErrorCodes.CONFIG_INVALID_VALUE, '--namespaces'],
    [['--labels', 'a in ('], ErrorCodes.CONFIG_INVALID_VALUE, '--labels'],
    [['--ttl', 'abc'], ErrorCodes.CONFIG_INVALID_VALUE, '--ttl'],
    [['--ttl', ''], ErrorCodes.CONFIG_INVALID_VALUE, '--ttl'],
    [['--listen', ':53'], ErrorCodes.CONFIG_INVALID_VALUE, '--listen'],
    [['--listen', '127.0.0.1:port'], ErrorCodes.CONFIG_INVALID_VALUE, '--listen'],
    [['--listen', '[::1]'], ErrorCodes.CONFIG_INVALID_VALUE, '--listen'],
    [['--zone', ''], ErrorCodes.CONFIG_INVALID_VALUE, '--zone'],
    [['--zone', 'a b'], ErrorCodes.CONFIG_INVALID_VALUE, '--zone'],
    [['--zone', `${'a'.repeat(64)}.local`], ErrorCodes.CONFIG_INVALID_VALUE, '--zone'],
    [['--pods', 'Verified'], ErrorCodes.CONFIG_INVALID_VALUE, '--pods'],
    [['--log-level', 'verbose'], ErrorCodes.CONFIG_INVALID_VALUE, '--log-level'],
    [['--metrics', 'localhost'], ErrorCodes.CONFIG_INVALID_VALUE, '--metrics'],
    [['--manifest'], ErrorCodes.CONFIG_INVALID_FLAG, '--manifest'],
    [['--nope'], ErrorCodes.CONFIG_INVALID_FLAG, '--nope'],
    [['--ttl'], ErrorCodes.CONFIG_INVALID_FLAG, '--ttl'],
    [['stray'], ErrorCodes.CONFIG_INVALID_FLAG, 'stray'],
    [['--autopath'], ErrorCodes.CONFIG_INVALID_FLAG, '--autopath'],
    [['--autopath-namespace', 'Not_A_Namespace'], ErrorCodes.CONFIG_INVALID_VALUE, '--autopath-namespace'],
    [['--workers', '0'], ErrorCodes.CONFIG_INVALID_VALUE, '--workers'],
    [['--workers', '257'], ErrorCodes.CONFIG_INVALID_VALUE, '--workers'],
    [['--workers', 'all'], ErrorCodes.CONFIG_INVALID_VALUE, '--workers'],
    [['--workers', '1.5'], ErrorCodes.CONFIG_INVALID_VALUE, '--workers'],
    [['--workers'], ErrorCodes.CONFIG_INVALID_FLAG, '--workers'],
  ];
  it.each(bad)('rejects %j', (argv, code, mention) => {
    expect(() => parseServeArgs(argv)).toThrow(expect.objectContaining({ code, message: expect.stringContaining(mention) }));
  });
});

describe('parseWorkers', () => {
  it('takes "auto" as the number of cores the runtime reports, within 1..256', () => {
    expect(parseWorkers('auto', '--workers', () => 2)).toBe(2);
    expect(parseWorkers('auto', '--workers', () => 0)).toBe(1);
    expect(parseWorkers('auto', '--workers', () => 1000)).toBe(256);
  });

  it('takes a whole number as given', () => {
    expect(parseWorkers('3')).toBe(3);
  });
});
