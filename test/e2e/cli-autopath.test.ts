// `clusterdns serve --autopath`, asked with real dig from a "pod": Linux answers for all of 127.0.0.0/8, so
// `dig -b 127.0.0.2` sends from the IP of a pod the snapshot places in namespace `shop`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { runCli, startCli, type RunningCli } from '../helpers/spawn-cli.js';

const example = new URL('../../examples/cluster.yaml', import.meta.url).pathname;
// The README's autopath example: a Running Pod in `shop` at 127.0.0.2.
const clientPod = new URL('../../examples/client-pod.yaml', import.meta.url).pathname;
const POD_IP = '127.0.0.2';
const HELLO = 'hello.default.svc.cluster.local. 5 IN A 10.96.0.20';

function scrape(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

describe('clusterdns serve --autopath @kubernetes, queried with dig', () => {
  let cli: RunningCli;
  let metricsPort: number;
  beforeAll(async () => {
    cli = await startCli(['--manifest', example, '--manifest', clientPod, '--autopath', '@kubernetes', '--metrics', '127.0.0.1:0']);
    const http = cli.logs.find((entry) => entry.msg === 'http listening' && entry.endpoint === '/metrics');
    metricsPort = Number(String(http?.address).split(':').pop());
  });
  afterAll(async () => {
    expect(await cli.stop()).toBe(0);
  });

  for (const transport of ['+notcp', '+tcp']) {
    it(`answers the pod's first search expansion with a CNAME to the name that exists (${transport})`, async () => {
      // A pod in `shop` resolving "hello.default" (ndots:5) asks this first.
      const result = await dig(cli.port, '-b', POD_IP, transport, 'hello.default.shop.svc.cluster.local');
      expect(result.status).toBe('NOERROR');
      expect(result.flags).toContain('aa');
      expect(result.answer).toEqual(['hello.default.shop.svc.cluster.local. 5 IN CNAME hello.default.svc.cluster.local.', HELLO]);
    });
  }

  it('answers a fully qualified name asked with the search suffix (the end of the path)', async () => {
    const result = await dig(cli.port, '-b', POD_IP, 'hello.default.svc.cluster.local.shop.svc.cluster.local');
    expect(result.answer).toEqual(['hello.default.svc.cluster.local.shop.svc.cluster.local. 5 IN CNAME hello.default.svc.cluster.local.', HELLO]);
  });

  it('leaves clients that are no pod, and names nothing answers, to the plain answers', async () => {
    const notAPod = await dig(cli.port, 'hello.default.shop.svc.cluster.local');
    expect(notAPod.status).toBe('NXDOMAIN');
    const nothing = await dig(cli.port, '-b', POD_IP, 'nope.shop.svc.cluster.local');
    expect(nothing.status).toBe('NXDOMAIN');
    expect(nothing.answer).toEqual([]);
    const own = await dig(cli.port, '-b', POD_IP, 'cart.shop.svc.cluster.local');
    expect(own.answer).toEqual(['cart.shop.svc.cluster.local. 5 IN A 10.96.0.50']);
  });

  it('counts the walks that answered in coredns_autopath_success_total', async () => {
    const before = /coredns_autopath_success_total\{server="dns:\/\/"\} (\d+)/.exec(await scrape(metricsPort));
    await dig(cli.port, '-b', POD_IP, 'hello.default.shop.svc.cluster.local');
    const after = /coredns_autopath_success_total\{server="dns:\/\/"\} (\d+)/.exec(await scrape(metricsPort));
    expect(Number(after?.[1])).toBe(Number(before?.[1] ?? 0) + 1);
  });
});

describe('clusterdns serve --autopath FILE (one search path for every client)', () => {
  let cli: RunningCli;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clusterdns-autopath-'));
    writeFileSync(join(dir, 'resolv.conf'), 'search shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n');
    cli = await startCli(['--manifest', example, '--autopath', join(dir, 'resolv.conf')]);
  });
  afterAll(async () => {
    expect(await cli.stop()).toBe(0);
  });

  it('walks the file’s search list for any client', async () => {
    const result = await dig(cli.port, 'hello.default.shop.svc.cluster.local');
    expect(result.answer).toEqual(['hello.default.shop.svc.cluster.local. 5 IN CNAME hello.default.svc.cluster.local.', HELLO]);
  });

  it('refuses a file without a search line, and --autopath-namespace with a file, naming the flag', async () => {
    writeFileSync(join(dir, 'empty.conf'), 'nameserver 127.0.0.53\n');
    const empty = await runCli(['serve', '--manifest', example, '--autopath', join(dir, 'empty.conf')]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--autopath: ');
    expect(empty.stderr).toContain('has no search line');
    const both = await runCli(['serve', '--manifest', example, '--autopath', join(dir, 'resolv.conf'), '--autopath-namespace', 'shop']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--autopath-namespace: only with --autopath @kubernetes');
  });
});

describe('clusterdns serve --workers 2 --autopath @kubernetes', () => {
  it('every worker walks the search path of the client pod', async () => {
    const cli = await startCli(['--manifest', example, '--manifest', clientPod, '--autopath', '@kubernetes', '--workers', '2']);
    try {
      // The kernel spreads datagrams over both workers' reads of the shared socket; each answer must be the walk.
      for (let i = 0; i < 12; i++) {
        const result = await dig(cli.port, '-b', POD_IP, i % 2 === 0 ? '+notcp' : '+tcp', 'hello.default.shop.svc.cluster.local');
        expect(result.answer).toEqual(['hello.default.shop.svc.cluster.local. 5 IN CNAME hello.default.svc.cluster.local.', HELLO]);
      }
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });
});
