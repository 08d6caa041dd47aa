import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCorefile } from '../../../src/corefile/corefile-parser.js';
import { corefileSettings, type CorefileSettings } from '../../../src/corefile/corefile-settings.js';
import { ClusterDnsError, ErrorCodes } from '../../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'corefile-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const resolvConf = join(dir, 'resolv.conf');
writeFileSync(resolvConf, 'search example.test\nnameserver 192.0.2.53\nnameserver 2001:db8::53\n');
writeFileSync(join(dir, 'hosts.txt'), '# comment\n192.0.2.1 a.example.test alias.example.test\n2001:db8::1 a.example.test\nnot-an-address x\n');
const COREFILE = join(dir, 'Corefile');

/** The settings of a Corefile whose main block holds `body`. */
function settingsOf(body: string, key = '.:53'): CorefileSettings {
  return corefileSettings(parseCorefile(`${key} {\n${body}\n}\n`, COREFILE), { resolvConf });
}

function errorOf(body: string): ClusterDnsError {
  try {
    settingsOf(body);
  } catch (err) {
    return err as ClusterDnsError;
  }
  throw new Error(`no error for ${body}`);
}

describe('kubeadm’s default Corefile', () => {
  it('loads unchanged, with CoreDNS’s meaning', () => {
    const text = readFileSync(new URL('../../fixtures/corefile/kubeadm.Corefile', import.meta.url), 'utf8');
    expect(readFileSync(new URL('../../../examples/Corefile', import.meta.url), 'utf8')).toBe(text);
    const settings = corefileSettings(parseCorefile(text, 'Corefile'), { resolvConf });
    expect(settings).toMatchObject({
      listen: { host: '0.0.0.0', port: 53 },
      kubernetes: { zones: ['cluster.local'], pods: 'insecure', ttl: 30, namespaces: [], fallthrough: ['in-addr.arpa', 'ip6.arpa'] },
      health: { host: '0.0.0.0', port: 8080 },
      lameduckSeconds: 5,
      ready: { host: '0.0.0.0', port: 8181 },
      metrics: { host: '0.0.0.0', port: 9153 },
      forward: { upstreams: ['192.0.2.53:53', '[2001:db8::53]:53'], stubDomains: [], maxConcurrent: 1000 },
      cache: { size: 9984, maxTtl: 30, maxDenialTtl: 30, prefetchHits: 0, serveStaleSeconds: 0 },
      loop: true,
      reload: { intervalMs: 30_000, jitterMs: 15_000 },
      errors: true,
      loadbalance: true,
    });
    expect(settings.notes).toEqual([]);
  });
});

describe('directives', () => {
  it.each<[string, string, Partial<CorefileSettings> | ((s: CorefileSettings) => void)]>([
    ['health with an address', 'health 127.0.0.1:18080', { health: { host: '127.0.0.1', port: 18080 } }],
    ['ready on [::1]', 'ready [::1]:8181', { ready: { host: '::1', port: 8181 } }],
    ['prometheus on its default port', 'prometheus', { metrics: { host: '0.0.0.0', port: 9153 } }],
    ['kubernetes takes the block’s zones by default and CoreDNS’s pods disabled', 'kubernetes', (s) => expect(s.kubernetes).toEqual({ zones: ['corp.local'], pods: 'disabled', ttl: 5, namespaces: [] })],
    [
      'kubernetes options',
      'kubernetes cluster.local {\n pods verified\n ttl 0\n namespaces default kube-system\n labels app in (web,db), tier\n kubeconfig kc.yaml ctx\n}',
      (s) =>
        expect(s.kubernetes).toEqual({ zones: ['cluster.local'], pods: 'verified', ttl: 0, namespaces: ['default', 'kube-system'], labels: 'app in (web,db), tier', kubeconfig: join(dir, 'kc.yaml'), context: 'ctx' }),
    ],
    [
      'kubernetes noendpoints, endpoint_pod_names and ignore empty_service take effect, nothing noted',
      'kubernetes cluster.local {\n noendpoints\n endpoint_pod_names\n ignore empty_service\n}',
      (s) => {
        expect([s.kubernetes?.noEndpoints, s.kubernetes?.endpointPodNames, s.kubernetes?.ignoreEmptyService]).toEqual([true, true, true]);
        expect(s.notes).toEqual([]);
      },
    ],
    ['kubernetes endpoint', 'kubernetes cluster.local {\n endpoint https://10.0.0.1:6443\n}', (s) => expect(s.kubernetes?.endpoint).toBe('https://10.0.0.1:6443')],
    ['kubernetes fallthrough without zones falls through in every zone', 'kubernetes cluster.local {\n fallthrough\n}', (s) => expect(s.kubernetes?.fallthrough).toEqual([])],
    ['autopath @kubernetes', 'autopath @kubernetes', { autopath: '@kubernetes' }],
    ['autopath from a resolv.conf', `autopath ${resolvConf}`, { autopath: resolvConf }],
    [
      'forward with every option',
      'forward . 10.0.0.1 dns://10.0.0.2:5353 {\n max_concurrent 10\n policy sequential\n health_check 250ms\n force_tcp\n prefer_udp\n except corp.test\n expire 10s\n}',
      (s) => {
        expect(s.forward).toEqual({ upstreams: ['10.0.0.1:53', '10.0.0.2:5353'], stubDomains: [], maxConcurrent: 10, policy: 'sequential', healthCheckMs: 250, forceTcp: true, except: ['corp.test'], expireMs: 10_000 });
        expect(s.notes.map((n) => n.directive)).toEqual(['forward prefer_udp']);
      },
    ],
    ['forward of a domain is a stub domain', 'forward corp.test 10.1.0.53\nforward . 10.0.0.1', { forward: { upstreams: ['10.0.0.1:53'], stubDomains: ['corp.test=10.1.0.53:53'] } }],
    ['cache with its options', 'cache 120 {\n success 5000 60\n denial 2000\n prefetch 10 1m\n serve_stale 1h\n}', { cache: { size: 5000, maxTtl: 60, maxDenialTtl: 120, prefetchHits: 10, serveStaleSeconds: 3600 } }],
    ['cache denial TTL caps denials only; prefetch N D P% sets hits and percentage', 'cache {\n denial 100 5\n prefetch 3 1m 20%\n}', { cache: { size: 9984, maxTtl: 3600, maxDenialTtl: 5, prefetchHits: 3, prefetchPercent: 20, serveStaleSeconds: 0 } }],
    [
      'cache success and denial MINTTL, prefetch DURATION: applied, nothing noted',
      'cache {\n success 100 60 10\n denial 50 30 2\n prefetch 2 30s 50%\n}',
      (s) => {
        expect(s.cache).toMatchObject({ maxTtl: 60, minTtl: 10, maxDenialTtl: 30, minDenialTtl: 2, prefetchHits: 2, prefetchWindowMs: 30_000, prefetchPercent: 50 });
        expect(s.notes).toEqual([]);
      },
    ],
    ['cache without MINTTL: CoreDNS\'s 5 s floor for both kinds', 'cache 30', (s) => expect(s.cache).toMatchObject({ minTtl: 5, minDenialTtl: 5 })],
    ['prefetch 0 turns prefetch off, as CoreDNS accepts it', 'cache {\n prefetch 0\n}', (s) => expect(s.cache.prefetchHits).toBe(0)],
    ['no cache directive: nothing is cached, as in CoreDNS; denials at most 1800 s, no prefetch', 'forward . 10.0.0.1', { cache: { size: 0, maxTtl: 3600, maxDenialTtl: 1800, prefetchHits: 0, serveStaleSeconds: 0 } }],
    ['no loop directive: no loop probe', 'errors', { loop: false }],
    ['reload with interval and jitter', 'reload 10s 2s', { reload: { intervalMs: 10_000, jitterMs: 2000 } }],
    ['file names a zone directory', `file ${dir}`, { zoneDirectory: dir }],
    [
      'hosts with a file, zones, inline entries and options',
      'hosts hosts.txt example.test {\n 192.0.2.9 extra.example.test\n ttl 60\n no_reverse\n reload 5s\n fallthrough\n}',
      (s) => {
        expect(s.hosts).toEqual({
          entries: [
            { address: '192.0.2.1', names: ['a.example.test', 'alias.example.test'] },
            { address: '2001:db8::1', names: ['a.example.test'] },
            { address: '192.0.2.9', names: ['extra.example.test'] },
          ],
          zones: ['example.test'],
          file: join(dir, 'hosts.txt'),
          fileEntries: [
            { address: '192.0.2.1', names: ['a.example.test', 'alias.example.test'] },
            { address: '2001:db8::1', names: ['a.example.test'] },
          ],
          reloadMs: 5000,
          ttl: 60,
          reverse: false,
          fallthrough: [],
        });
        expect(s.notes).toEqual([]);
      },
    ],
    ['hosts of a missing file serves its inline entries, with a note', 'hosts /nonexistent/hosts {\n 192.0.2.9 x.test\n}', (s) => expect(s.notes.map((n) => n.directive)).toEqual(['hosts'])],
    ['log', 'log', { log: true }],
    ['bind sets the listen host', 'bind 127.0.0.1', { listen: { host: '127.0.0.1', port: 53 } }],
  ])('%s', (_title, body, expected) => {
    const settings = settingsOf(body, _title.startsWith('kubernetes takes') ? 'corp.local:53' : '.:53');
    if (typeof expected === 'function') expected(settings);
    else expect(settings).toMatchObject(expected);
  });

  it('every server block is a server of its own: its zones, its port, its directives; the root block is the main one', () => {
    const settings = corefileSettings(
      parseCorefile('corp.test other.test {\n errors\n forward . 10.1.0.53 10.1.0.54\n}\n.:53 {\n forward . 10.0.0.1\n}\n.:5300 {\n prometheus :9153\n hosts {\n  192.0.2.1 a.test\n }\n}\n', COREFILE),
    );
    expect(settings.forward).toMatchObject({ upstreams: ['10.0.0.1:53'], stubDomains: [] });
    expect(settings.metrics).toEqual({ host: '0.0.0.0', port: 9153 });
    expect(settings.servers?.map((server) => [server.zones, server.listen.port, server.line])).toEqual([
      [[''], 53, 5],
      [['corp.test', 'other.test'], 53, 1],
      [[''], 5300, 8],
    ]);
    expect(settings.servers?.[1].settings).toMatchObject({ errors: true, forward: { upstreams: ['10.1.0.53:53', '10.1.0.54:53'] } });
    expect(settings.servers?.[2].settings.hosts?.entries).toContainEqual({ address: '192.0.2.1', names: ['a.test'] });
  });

  it('one server block keeps the flat settings, without servers', () => {
    expect(settingsOf('forward . 10.0.0.1').servers).toBeUndefined();
  });

  it.each([
    ['an unknown directive', 'rewrite name a b', 2, 'directive rewrite: unknown directive'],
    ['a directive given twice', 'cache\ncache 30', 3, 'directive cache: given twice in one server block (first at line 2)'],
    ['errors with an argument', 'errors loud', 2, 'directive errors: expected 0 arguments, got 1'],
    ['health with a bad address', 'health nowhere', 2, 'directive health: expected HOST:PORT'],
    ['an unknown health option', 'health {\n  lameduck 5s\n  drain 1s\n}', 4, 'directive health drain: unknown health option'],
    ['a bad lameduck duration', 'health {\n lameduck soon\n}', 3, 'directive health lameduck: expected a duration'],
    ['ready with a block', 'ready {\n}', 2, 'directive ready: takes no { ... } block'],
    ['kubernetes with only reverse zones', 'kubernetes in-addr.arpa', 2, 'directive kubernetes: no cluster zone'],
    ['a bad pods mode', 'kubernetes cluster.local {\n pods sometimes\n}', 3, 'directive kubernetes pods: expected disabled, insecure or verified'],
    ['a TTL out of range', 'kubernetes cluster.local {\n ttl 9000\n}', 3, 'directive kubernetes ttl: expected whole seconds 0..3600'],
    ['a bad namespace', 'kubernetes cluster.local {\n namespaces Default\n}', 3, 'directive kubernetes namespaces: "Default" is not a namespace name'],
    ['a bad label selector', 'kubernetes cluster.local {\n labels a in (b\n}', 3, 'directive kubernetes labels: unbalanced parentheses'],
    ['kubernetes endpoint that is no URL', 'kubernetes cluster.local {\n endpoint 10.0.0.1:6443\n}', 3, 'directive kubernetes endpoint: expected an http:// or https:// URL'],
    ['kubernetes endpoint and kubeconfig', 'kubernetes cluster.local {\n endpoint https://10.0.0.1:6443\n kubeconfig kc.yaml\n}', 2, 'directive kubernetes: give either endpoint or kubeconfig'],
    ['an unknown kubernetes option', 'kubernetes cluster.local {\n upstream\n}', 3, 'directive kubernetes upstream: unknown option'],
    ['ignore of something else', 'kubernetes cluster.local {\n ignore everything\n}', 3, 'directive kubernetes ignore: expected empty_service'],
    ['autopath @etcd', 'autopath @etcd', 2, 'directive autopath: expected @kubernetes or a resolv.conf file'],
    ['forward without a target', 'forward .', 2, 'directive forward: expected at least 2 arguments, got 1'],
    ['forward to TLS', 'forward . tls://1.1.1.1', 2, 'directive forward: only plain DNS upstreams'],
    ['forward to a bad address', 'forward . 300.1.1.1', 2, 'directive forward: '],
    ['forward to a missing file', 'forward . /nonexistent/resolv.conf', 2, 'directive forward: forward: cannot read /nonexistent/resolv.conf'],
    ['two forwards for the root', 'forward . 10.0.0.1\nforward . 10.0.0.2', 3, 'directive forward: a second forward for the root zone'],
    ['a bad policy', 'forward . 10.0.0.1 {\n policy fastest\n}', 3, 'directive forward policy: expected random, round_robin or sequential'],
    ['max_concurrent 0', 'forward . 10.0.0.1 {\n max_concurrent 0\n}', 3, 'directive forward max_concurrent: expected a whole number 1..1000000'],
    ['an unknown forward option', 'forward . 10.0.0.1 {\n tls_servername x\n}', 3, 'directive forward tls_servername: unknown option'],
    ['a bad cache TTL', 'cache soon', 2, 'directive cache: expected a whole number'],
    ['an unknown cache option', 'cache {\n keepttl\n}', 3, 'directive cache keepttl: unknown option'],
    ['loop with an argument', 'loop 1', 2, 'directive loop: expected 0 arguments'],
    ['a reload interval under 2s', 'reload 1s', 2, 'directive reload: interval must be at least 2s'],
    ['a reload jitter over half the interval', 'reload 4s 3s', 2, 'directive reload: jitter must be between 1s and half the interval'],
    ['loadbalance weighted', 'loadbalance weighted', 2, 'directive loadbalance: expected round_robin'],
    ['an unknown hosts option', 'hosts {\n upstream\n}', 3, 'directive hosts upstream: unknown option'],
    ['a hosts address without a name', 'hosts {\n 192.0.2.1\n}', 3, 'directive hosts 192.0.2.1: an address needs at least one name'],
    ['file of a single zone file (not supported yet)', 'file db.example.org', 2, `directive file: ${join(dir, 'db.example.org')} is not a directory`],
  ])('%s: error at file:line naming the directive', (_title, body, line, message) => {
    const error = errorOf(body);
    expect(error).toBeInstanceOf(ClusterDnsError);
    expect(error.code).toBe(ErrorCodes.COREFILE_DIRECTIVE);
    expect(error.message).toContain(`${COREFILE}:${line}: ${message}`);
  });

  it.each([
    ['the same zone and port twice', '.:53 {\n}\ncorp.test {\n}\n.:53 {\n errors\n}', 5, `zone . on port 53 is already defined at ${COREFILE}:1`],
    ['the same zone and port twice in one block', 'corp.test corp.test:53 {\n}', 1, 'zone corp.test on port 53 is already defined'],
    ['one block on several ports', 'a.test:53 b.test:54 {\n}', 1, 'names several ports (53, 54)'],
    ['prometheus on two addresses', '.:53 {\n prometheus :9153\n}\ncorp.test:54 {\n prometheus :9154\n}', 5, `directive prometheus: differs from the one in the block at ${COREFILE}:1`],
    ['kubernetes blocks with different sources', '.:53 {\n kubernetes cluster.local\n}\nother.local:54 {\n kubernetes other.local {\n  namespaces a\n }\n}', 5, 'every server block shares one Kubernetes data source'],
  ])('%s is a server-block error', (_title, text, line, message) => {
    let error: ClusterDnsError | undefined;
    try {
      corefileSettings(parseCorefile(text, COREFILE));
    } catch (err) {
      error = err as ClusterDnsError;
    }
    expect(error?.code).toBe(ErrorCodes.COREFILE_SERVER_BLOCK);
    expect(error?.message).toContain(`${COREFILE}:${line}: `);
    expect(error?.message).toContain(message);
  });
});
