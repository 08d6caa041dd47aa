// `clusterdns serve --conf` with several server blocks, as CoreDNS serves them: each block a server with its own
// plugin chain, blocks on one address split by zone (longest zone wins), blocks on other ports with listeners of
// their own, one data source for every kubernetes block, and the metrics of each listener under its `server` label.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiEmulator, service, tempDir, writeKubeconfig } from '../helpers/api-emulator/index.js';
import { dig } from '../helpers/dig.js';
import { freePort } from '../helpers/free-port.js';
import { runCli, startCli, type RunningCli } from '../helpers/spawn-cli.js';
import { TestUpstream, a } from '../helpers/upstream/test-upstream.js';

const EXAMPLE = new URL('../../examples/cluster.yaml', import.meta.url).pathname;

describe('clusterdns serve --conf with several server blocks', () => {
  const upstream = new TestUpstream();
  let cli: RunningCli;
  let dir: { dir: string; remove: () => Promise<void> };
  let otherPort = 0;

  beforeAll(async () => {
    upstream.answer('www.example.org', { answer: a('www.example.org', '192.0.2.80', 60) });
    await upstream.start();
    dir = await tempDir();
    otherPort = await freePort();
    const corefile = join(dir.dir, 'Corefile');
    // The main block (the root zone) listens where --listen says (127.0.0.1:0); `cluster.local:0` and
    // `example.test:0` bound to 127.0.0.1 share its listener; `.:PORT` is a second server on its own port.
    writeFileSync(
      corefile,
      [
        '.:0 {',
        '  hosts {',
        '    192.0.2.1 www.example.test',
        '    fallthrough',
        '  }',
        `  forward . 127.0.0.1:${upstream.port}`,
        '  prometheus 127.0.0.1:0',
        '}',
        'cluster.local:0 {',
        '  bind 127.0.0.1',
        '  kubernetes cluster.local {',
        '    ttl 17',
        '  }',
        '}',
        'sub.example.test:0 {',
        '  bind 127.0.0.1',
        '  hosts {',
        '    192.0.2.2 www.sub.example.test',
        '  }',
        '}',
        `.:${otherPort} {`,
        '  bind 127.0.0.1',
        '  hosts {',
        '    192.0.2.3 www.example.test',
        '    fallthrough',
        '  }',
        '  kubernetes cluster.local {',
        '    ttl 23',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    cli = await startCli(['--conf', corefile, '--manifest', EXAMPLE], 30_000);
  });
  afterAll(async () => {
    await cli?.stop();
    await upstream.close();
    await dir?.remove();
  });

  it('two blocks on two ports answer each from their own chain (hosts and TTL differ per block)', async () => {
    expect((await dig(cli.port, 'www.example.test')).answer).toEqual(['www.example.test. 3600 IN A 192.0.2.1']);
    expect((await dig(otherPort, 'www.example.test')).answer).toEqual(['www.example.test. 3600 IN A 192.0.2.3']);
    expect((await dig(cli.port, 'kubernetes.default.svc.cluster.local')).answer).toEqual(['kubernetes.default.svc.cluster.local. 17 IN A 10.96.0.1']);
    expect((await dig(otherPort, 'kubernetes.default.svc.cluster.local')).answer).toEqual(['kubernetes.default.svc.cluster.local. 23 IN A 10.96.0.1']);
    // Over TCP too: the second server has a TCP listener of its own.
    expect((await dig(otherPort, '+tcp', 'kubernetes.default.svc.cluster.local')).answer).toEqual(['kubernetes.default.svc.cluster.local. 23 IN A 10.96.0.1']);
  });

  it('blocks on one port split by zone: the longest zone wins, the root block takes the rest', async () => {
    expect((await dig(cli.port, 'www.sub.example.test')).answer).toEqual(['www.sub.example.test. 3600 IN A 192.0.2.2']);
    // The root block's forward answers outside names; the sub.example.test block has no forward: NXDOMAIN there.
    expect((await dig(cli.port, 'www.example.org')).answer).toEqual(['www.example.org. 60 IN A 192.0.2.80']);
    expect((await dig(cli.port, 'nothing.sub.example.test')).status).toBe('NXDOMAIN');
    // The second port's block has no forward and hosts without fallthrough for its zone (the root): no answer from the upstream.
    expect((await dig(otherPort, 'www.example.org')).answer).toEqual([]);
  });

  it('logs each block with its zones and address, and publishes each listener under its own server label', async () => {
    const serving = cli.logs.find((entry) => entry.msg === 'serving') as { servers: Array<{ zones: string[]; address: string }> };
    expect(serving.servers.map((server) => server.zones)).toEqual([['.'], ['cluster.local'], ['sub.example.test'], ['.']]);
    expect(serving.servers[3].address).toBe(`127.0.0.1:${otherPort}`);
    const metrics = cli.logs.find((entry) => entry.msg === 'http listening' && entry.endpoint === '/metrics')!;
    const body = await (await fetch(`http://${String(metrics.address)}/metrics`)).text();
    expect(body).toMatch(new RegExp(`^coredns_dns_requests_total\\{server="dns://127\\.0\\.0\\.1:${cli.port}",zone="\\.",view="",proto="udp",family="1",type="A"\\} \\d+$`, 'm'));
    expect(body).toMatch(new RegExp(`^coredns_dns_requests_total\\{server="dns://127\\.0\\.0\\.1:${otherPort}",zone="\\.",view="",proto="tcp",family="1",type="A"\\} 1$`, 'm'));
  });
});

describe('clusterdns serve --conf: two kubernetes blocks and the API', () => {
  it('lists and watches the API once for both blocks, and each block follows a change with its own zone and TTL', async () => {
    const emu = await new ApiEmulator({ token: 'blocks-token' }).start();
    const dir = await tempDir();
    let cli: RunningCli | undefined;
    try {
      emu.applyAll([service('default', 'hello', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] })]);
      const kubeconfig = await writeKubeconfig(dir.dir, { contexts: [{ name: 'emulator', server: emu.url, token: 'blocks-token' }] });
      const otherPort = await freePort();
      const corefile = join(dir.dir, 'Corefile');
      writeFileSync(
        corefile,
        `.:0 {\n  kubernetes cluster.local {\n    kubeconfig ${kubeconfig}\n    ttl 9\n  }\n}\nother.local:${otherPort} {\n  bind 127.0.0.1\n  kubernetes other.local {\n    kubeconfig ${kubeconfig}\n    ttl 8\n  }\n}\n`,
      );
      cli = await startCli(['--conf', corefile], 30_000);
      emu.apply(service('default', 'late', { clusterIP: '10.96.0.77', ports: [{ name: 'http', port: 80 }] }));
      const answerOf = async (port: number, name: string) => {
        for (let attempt = 0; attempt < 100; attempt++) {
          const answer = (await dig(port, name)).answer;
          if (answer.length > 0) return answer;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return [];
      };
      expect(await answerOf(cli.port, 'late.default.svc.cluster.local')).toEqual(['late.default.svc.cluster.local. 9 IN A 10.96.0.77']);
      expect(await answerOf(otherPort, 'late.default.svc.other.local')).toEqual(['late.default.svc.other.local. 8 IN A 10.96.0.77']);
      const byResource = (watch: boolean) => {
        const counts: Record<string, number> = {};
        for (const request of emu.requests) if (request.resource && request.watch === watch) counts[request.resource] = (counts[request.resource] ?? 0) + 1;
        return counts;
      };
      expect(byResource(false)).toEqual({ services: 1, endpointslices: 1, namespaces: 1 });
      expect(byResource(true)).toEqual({ services: 1, endpointslices: 1, namespaces: 1 });
    } finally {
      await cli?.stop();
      await emu.close();
      await dir.remove();
    }
  }, 60_000);
});

describe('clusterdns serve --conf: server-block errors', () => {
  it('the same zone and port in two blocks names the second block by file:line and exits 1', async () => {
    const dir = await tempDir();
    try {
      const corefile = join(dir.dir, 'Corefile');
      writeFileSync(corefile, '.:0 {\n  errors\n}\ncluster.local:1053 {\n  errors\n}\n\ncluster.local:1053 {\n  log\n}\n');
      const result = await runCli(['serve', '--conf', corefile]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${corefile}:8: server block "cluster.local:1053": zone cluster.local on port 1053 is already defined at ${corefile}:4`);
    } finally {
      await dir.remove();
    }
  });
});
