// `clusterdns serve --workers 2 --conf`: the Corefile reaches every worker, at start and on every reload
// (polled by `reload`, at once on SIGHUP), without a query dropped while the workers are replaced; a broken
// Corefile keeps the running one. `loadbalance` and `log` take effect in the workers, which answer every query
// (the primary answers none). Workers are told apart by clusterdns_worker_requests of /metrics.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/api-emulator/index.js';
import { dig } from '../helpers/dig.js';
import { startCli, type RunningCli } from '../helpers/spawn-cli.js';
import { workersOf } from '../helpers/worker-requests.js';

const EXAMPLE = new URL('../../examples/cluster.yaml', import.meta.url).pathname;
const HELLO = 'hello.default.svc.cluster.local';

function corefileText(ttl: number, extraHosts = ''): string {
  return [
    '.:0 {',
    '  hosts {',
    '    192.0.2.1 many.example.test',
    '    192.0.2.2 many.example.test',
    '    192.0.2.3 many.example.test',
    extraHosts,
    '    fallthrough',
    '  }',
    '  kubernetes cluster.local {',
    `    ttl ${ttl}`,
    '  }',
    '  loadbalance',
    '  log',
    '  prometheus 127.0.0.1:0',
    '  reload 2s 1s',
    '}',
    '',
  ].join('\n');
}

describe('clusterdns serve --workers 2 --conf', () => {
  let cli: RunningCli;
  let dir: { dir: string; remove: () => Promise<void> };
  let corefile = '';
  let metricsUrl = '';
  const { metrics, perWorker, queryEveryWorker } = workersOf(
    () => cli,
    () => metricsUrl,
  );

  beforeAll(async () => {
    dir = await tempDir();
    corefile = join(dir.dir, 'Corefile');
    writeFileSync(corefile, corefileText(11));
    cli = await startCli(['--conf', corefile, '--manifest', EXAMPLE, '--workers', '2'], 30_000);
    const entry = cli.logs.find((line) => line.msg === 'http listening' && line.endpoint === '/metrics');
    metricsUrl = `http://${String(entry?.address)}/metrics`;
  }, 60_000);
  afterAll(async () => {
    expect(await cli?.stop()).toBe(0);
    await dir?.remove();
  });

  it('loadbalance rotates the A records in the workers’ replies, over UDP and TCP from both workers', { timeout: 60_000 }, async () => {
    const answers = await queryEveryWorker('many.example.test', await perWorker());
    expect(answers.every((answer) => answer.length === 3)).toBe(true);
    // Without loadbalance every reply would list the records in one order.
    expect(new Set(answers.map((answer) => answer[0])).size).toBeGreaterThan(1);
  });

  it('log writes a CoreDNS log line per query from the workers', async () => {
    await dig(cli.port, 'logged.example.test');
    const line = await cli.waitForLog((entry) => typeof entry.msg === 'string' && entry.msg.includes('"A IN logged.example.test. udp'), 5000);
    expect(line.worker).toBeTypeOf('number');
  });

  it('a Corefile edit is polled by reload and every worker answers the new data; queries meanwhile all answered', async () => {
    const before = await perWorker();
    const since = cli.logs.length;
    const reloaded = cli.waitForLog((entry) => entry.msg === 'Corefile reloaded' && cli.logs.indexOf(entry) >= since, 60_000);
    writeFileSync(corefile, corefileText(12, '    192.0.2.9 new.example.test'));
    // While the workers are replaced, one try per query: a dropped datagram would fail.
    let done = false;
    void reloaded.finally(() => (done = true));
    const during: string[][] = [];
    for (let round = 0; round < 200 && !done; round++) {
      const results = await Promise.all([dig(cli.port, '+tries=1', '+timeout=2', HELLO), dig(cli.port, '+tcp', '+tries=1', '+timeout=2', HELLO)]);
      during.push(...results.map((result) => result.answer));
    }
    await reloaded;
    expect(during.length).toBeGreaterThan(0);
    expect(during.filter((answer) => answer.length !== 1)).toEqual([]);
    const answers = await queryEveryWorker('new.example.test', before);
    expect(new Set(answers.map((answer) => answer.join()))).toEqual(new Set(['new.example.test. 3600 IN A 192.0.2.9']));
    const ttls = await queryEveryWorker(HELLO, await perWorker());
    expect(new Set(ttls.map((answer) => answer.join()))).toEqual(new Set([`${HELLO}. 12 IN A 10.96.0.20`]));
  }, 90_000);

  it('SIGHUP reloads at once: every worker answers with the new TTL', async () => {
    const since = cli.logs.length;
    const reloaded = cli.waitForLog((entry) => entry.msg === 'Corefile reloaded' && cli.logs.indexOf(entry) >= since, 60_000);
    writeFileSync(corefile, corefileText(13, '    192.0.2.9 new.example.test').replace('reload 2s 1s', 'reload 60s 1s'));
    process.kill(cli.process.pid!, 'SIGHUP');
    await reloaded;
    const answers = await queryEveryWorker(HELLO, await perWorker());
    expect(new Set(answers.map((answer) => answer.join()))).toEqual(new Set([`${HELLO}. 13 IN A 10.96.0.20`]));
  }, 90_000);

  it('a broken Corefile is logged with file:line and counted; every worker keeps the running configuration', async () => {
    const failed = cli.waitForLog((entry) => entry.msg?.toString().startsWith('Corefile not reloaded') === true, 20_000);
    writeFileSync(corefile, corefileText(14).replace('  loadbalance', '  loadbalance\n  rewrite name a b'));
    process.kill(cli.process.pid!, 'SIGHUP');
    const entry = await failed;
    expect(String(entry.err)).toContain(`${corefile}:13: directive rewrite: unknown directive`);
    expect(await metrics()).toMatch(/^coredns_reload_failed_total 1$/m);
    const answers = await queryEveryWorker(HELLO, await perWorker());
    expect(new Set(answers.map((answer) => answer.join()))).toEqual(new Set([`${HELLO}. 13 IN A 10.96.0.20`]));
  }, 60_000);
});
