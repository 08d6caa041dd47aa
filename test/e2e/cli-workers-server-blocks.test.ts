// `clusterdns serve --workers 2 --conf` with several server blocks: every worker serves every block (blocks on
// one port split by zone, a block on a port of its own), the kubernetes blocks of every worker are fed from the
// primary's one data source, and a reload that changes one block reaches both workers. Workers are told apart
// by clusterdns_worker_requests of /metrics.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/api-emulator/index.js';
import { dig } from '../helpers/dig.js';
import { freePort } from '../helpers/free-port.js';
import { startCli, type RunningCli } from '../helpers/spawn-cli.js';
import { workersOf } from '../helpers/worker-requests.js';

const EXAMPLE = new URL('../../examples/cluster.yaml', import.meta.url).pathname;
const KUBERNETES = 'kubernetes.default.svc.cluster.local';

function corefileText(otherPort: number, otherHosts: string[]): string {
  return [
    // The main block listens where --listen says (127.0.0.1:0); `sub.example.test:0` bound to 127.0.0.1 shares it.
    '.:0 {',
    '  hosts {',
    '    192.0.2.1 www.example.test',
    '    fallthrough',
    '  }',
    '  kubernetes cluster.local {',
    '    ttl 17',
    '  }',
    '  prometheus 127.0.0.1:0',
    '  reload 2s 1s',
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
    ...otherHosts.map((line) => `    ${line}`),
    '    fallthrough',
    '  }',
    '  kubernetes cluster.local {',
    '    ttl 23',
    '  }',
    '}',
    '',
  ].join('\n');
}

describe('clusterdns serve --workers 2 --conf with several server blocks', () => {
  let cli: RunningCli;
  let dir: { dir: string; remove: () => Promise<void> };
  let corefile = '';
  let otherPort = 0;
  let metricsUrl = '';
  const { perWorker, queryEveryWorker } = workersOf(
    () => cli,
    () => metricsUrl,
  );
  const distinct = (answers: string[][]) => new Set(answers.map((answer) => answer.join()));

  beforeAll(async () => {
    dir = await tempDir();
    corefile = join(dir.dir, 'Corefile');
    otherPort = await freePort();
    writeFileSync(corefile, corefileText(otherPort, ['192.0.2.3 www.example.test']));
    cli = await startCli(['--conf', corefile, '--manifest', EXAMPLE, '--workers', '2'], 30_000);
    const entry = cli.logs.find((line) => line.msg === 'http listening' && line.endpoint === '/metrics');
    metricsUrl = `http://${String(entry?.address)}/metrics`;
  }, 60_000);
  afterAll(async () => {
    expect(await cli?.stop()).toBe(0);
    await dir?.remove();
  });

  it('two blocks on two ports: both workers answer each block’s hosts over UDP and TCP', { timeout: 60_000 }, async () => {
    const main = await queryEveryWorker('www.example.test', await perWorker());
    expect(distinct(main)).toEqual(new Set(['www.example.test. 3600 IN A 192.0.2.1']));
    const other = await queryEveryWorker('www.example.test', await perWorker(), otherPort);
    expect(distinct(other)).toEqual(new Set(['www.example.test. 3600 IN A 192.0.2.3']));
  });

  it('both blocks’ kubernetes, fed by the primary’s one data source, answer in every worker with their own TTL', { timeout: 60_000 }, async () => {
    const main = await queryEveryWorker(KUBERNETES, await perWorker());
    expect(distinct(main)).toEqual(new Set([`${KUBERNETES}. 17 IN A 10.96.0.1`]));
    const other = await queryEveryWorker(KUBERNETES, await perWorker(), otherPort);
    expect(distinct(other)).toEqual(new Set([`${KUBERNETES}. 23 IN A 10.96.0.1`]));
  });

  it('two blocks on one port split by zone in every worker: the longer zone’s block answers its names', { timeout: 60_000 }, async () => {
    const sub = await queryEveryWorker('www.sub.example.test', await perWorker());
    expect(distinct(sub)).toEqual(new Set(['www.sub.example.test. 3600 IN A 192.0.2.2']));
    // The root block's hosts has no such name: only the sub.example.test block could have answered it.
    expect((await dig(otherPort, 'www.sub.example.test')).answer).toEqual([]);
  });

  it('a reload that changes one block reaches both workers; the other blocks keep their answers', async () => {
    const before = await perWorker();
    const since = cli.logs.length;
    const reloaded = cli.waitForLog((entry) => entry.msg === 'Corefile reloaded' && cli.logs.indexOf(entry) >= since, 60_000);
    writeFileSync(corefile, corefileText(otherPort, ['192.0.2.3 www.example.test', '192.0.2.9 new.example.test']));
    await reloaded;
    const added = await queryEveryWorker('new.example.test', before, otherPort);
    expect(distinct(added)).toEqual(new Set(['new.example.test. 3600 IN A 192.0.2.9']));
    // Every worker was replaced: the main listener's blocks answer as before, without the other block's name.
    const main = await queryEveryWorker('www.sub.example.test', await perWorker());
    expect(distinct(main)).toEqual(new Set(['www.sub.example.test. 3600 IN A 192.0.2.2']));
    expect((await dig(cli.port, 'new.example.test')).answer).toEqual([]);
  }, 90_000);

  it('a reload that adds a listener is refused with the reason and counted; every worker keeps the running blocks', async () => {
    const newPort = await freePort();
    const failed = cli.waitForLog((entry) => entry.msg?.toString().startsWith('Corefile not reloaded') === true, 20_000);
    writeFileSync(corefile, `${corefileText(otherPort, ['192.0.2.3 www.example.test', '192.0.2.9 new.example.test'])}.:${newPort} {\n  bind 127.0.0.1\n  hosts {\n    192.0.2.4 www.example.test\n  }\n}\n`);
    process.kill(cli.process.pid!, 'SIGHUP');
    const entry = await failed;
    expect(String(entry.err)).toContain('the listen addresses (of every server block) and the cluster source');
    expect(await (await fetch(metricsUrl)).text()).toMatch(/^coredns_reload_failed_total 1$/m);
    const added = await queryEveryWorker('new.example.test', await perWorker(), otherPort);
    expect(distinct(added)).toEqual(new Set(['new.example.test. 3600 IN A 192.0.2.9']));
  }, 60_000);
});
