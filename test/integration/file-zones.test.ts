// The bundled zones/ served by a real DnsServer whose chain is kubernetes → file, over the bundled example
// cluster, asked with dig and with crafted packets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterStore } from '../../src/cluster/cluster-store.js';
import { REVERSE_ZONES } from '../../src/cluster/record-builder.js';
import { silentLogger } from '../../src/log/logger.js';
import { ManifestSource } from '../../src/manifest/manifest-source.js';
import { Chain } from '../../src/pipeline/chain.js';
import { FileHandler } from '../../src/pipeline/file-handler.js';
import { KubernetesHandler } from '../../src/pipeline/kubernetes-handler.js';
import { AnswerCache } from '../../src/records/answer-cache.js';
import { RecordIndex } from '../../src/records/record-index.js';
import { DnsServer } from '../../src/server/dns-server.js';
import { RCode, RRType } from '../../src/wire/types.js';
import { loadZoneDirectory, type ZoneDirectory } from '../../src/zonefile/zone-directory.js';
import { dig } from '../helpers/dig.js';
import { udpQuery } from '../helpers/raw-query.js';

const example = new URL('../../examples/cluster.yaml', import.meta.url).pathname;
const zonesDir = new URL('../../zones', import.meta.url).pathname;

describe('zone files served through the pipeline (kubernetes → file) over UDP and TCP', () => {
  let server: DnsServer;
  let zones: ZoneDirectory;
  let manifest: ManifestSource;
  let port: number;

  beforeAll(async () => {
    const logger = silentLogger();
    const clusterZones = ['cluster.local'];
    const index = new RecordIndex({ zones: [...clusterZones, ...REVERSE_ZONES], ttl: 5 });
    const store = new ClusterStore({ index, zones: clusterZones, ttl: 5, pods: 'verified', logger });
    manifest = new ManifestSource({ files: [example], store, logger });
    await manifest.start();
    zones = await loadZoneDirectory(zonesDir, { logger, watch: false });
    const kubernetes = new KubernetesHandler({
      index,
      cache: new AnswerCache(index),
      zones: clusterZones,
      isSynced: () => store.synced,
      pods: 'verified',
      namespaceExists: (namespace) => store.namespaceExists(namespace),
      ttl: 5,
    });
    server = new DnsServer({ host: '127.0.0.1', port: 0, handler: new Chain([kubernetes, new FileHandler({ zones })]), logger });
    port = (await server.start()).port;
  });

  afterAll(async () => {
    await server?.close();
    await zones?.close();
    await manifest?.close();
  });

  it('answers a zone name authoritatively (dig: aa, the A record)', async () => {
    const result = await dig(port, 'www.example.internal', 'A');
    expect(result.status).toBe('NOERROR');
    expect(result.flags).toContain('aa');
    expect(result.answer).toEqual(['www.example.internal. 600 IN A 192.0.2.10']);
  });

  it('follows api CNAME into the cluster: the CNAME, then Service hello A from the kubernetes handler', async () => {
    const result = await dig(port, 'api.example.internal', 'A');
    expect(result.status).toBe('NOERROR');
    expect(result.answer).toEqual(['api.example.internal. 300 IN CNAME hello.default.svc.cluster.local.', 'hello.default.svc.cluster.local. 5 IN A 10.96.0.20']);
  });

  it('answers MX with the exchange address in additional, over TCP', async () => {
    const result = await dig(port, '+tcp', 'example.internal', 'MX');
    expect(result.answer).toEqual(['example.internal. 300 IN MX 10 mail.example.internal.']);
    expect(result.additional).toContain('mail.example.internal. 300 IN A 192.0.2.25');
  });

  it('answers TXT, SRV and CAA as dig prints them', async () => {
    expect((await dig(port, 'info.example.internal', 'TXT')).answer).toEqual([
      'info.example.internal. 300 IN TXT "clusterdns example zone" "second string; with a semicolon"',
    ]);
    expect((await dig(port, '_ldap._tcp.example.internal', 'SRV')).answer).toEqual(['_ldap._tcp.example.internal. 300 IN SRV 0 100 389 ldap.example.internal.']);
    expect((await dig(port, 'example.internal', 'CAA')).answer).toEqual([
      'example.internal. 300 IN CAA 0 issue "letsencrypt.org"',
      'example.internal. 300 IN CAA 0 iodef "mailto:security@example.internal"',
    ]);
  });

  it('synthesizes from the wildcard, but not for a name that exists', async () => {
    expect((await dig(port, 'anything.apps.example.internal')).answer).toEqual(['anything.apps.example.internal. 300 IN A 192.0.2.80']);
    expect((await dig(port, 'static.apps.example.internal')).answer).toEqual(['static.apps.example.internal. 300 IN A 192.0.2.81']);
  });

  it('refers a name below the delegation: no aa, NS in authority, glue in additional', async () => {
    const result = await dig(port, 'host.lab.example.internal');
    expect(result.status).toBe('NOERROR');
    expect(result.flags).not.toContain('aa');
    expect(result.answer).toEqual([]);
    expect(result.authority).toEqual(['lab.example.internal. 300 IN NS ns.lab.example.internal.']);
    expect(result.additional).toEqual(['ns.lab.example.internal. 300 IN A 192.0.2.100']);
  });

  it('NXDOMAIN with the SOA (TTL = its minimum, 60) in authority', async () => {
    const result = await dig(port, 'nope.example.internal');
    expect(result.status).toBe('NXDOMAIN');
    expect(result.flags).toContain('aa');
    expect(result.authority).toEqual(['example.internal. 60 IN SOA ns1.example.internal. hostmaster.example.internal. 2026120101 3600 600 604800 60']);
  });

  it('refuses AXFR of a zone-file zone and still answers cluster names', async () => {
    expect((await udpQuery(port, 'example.internal', RRType.AXFR)).rcode).toBe(RCode.REFUSED);
    expect((await dig(port, 'hello.default.svc.cluster.local')).answer).toEqual(['hello.default.svc.cluster.local. 5 IN A 10.96.0.20']);
  });

  it('REFUSES a name in neither the cluster nor a zone file', async () => {
    expect((await dig(port, 'example.com')).status).toBe('REFUSED');
  });
});
