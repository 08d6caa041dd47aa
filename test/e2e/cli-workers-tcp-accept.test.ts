// `clusterdns serve --workers 2` over TCP: the workers accept connections on the shared listener themselves
// (node:cluster SCHED_NONE), so no connection waits on the primary. Shown by stopping the primary (SIGSTOP):
// with the round-robin hand-off every new connection would sit in the primary's accept queue until it ran
// again; here each is answered by a worker while the primary is stopped. Then the primary resumes and the
// tree shuts down as usual. Real dig, 127.0.0.1 only.
import { afterEach, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { startCli, type RunningCli } from '../helpers/spawn-cli.js';

const example = new URL('../../examples/cluster.yaml', import.meta.url).pathname;
const HELLO = 'hello.default.svc.cluster.local';
const HELLO_A = `${HELLO}. 5 IN A 10.96.0.20`;

describe('clusterdns serve --workers 2: TCP accepted by the workers', () => {
  let cli: RunningCli | undefined;
  let stopped = false;
  afterEach(async () => {
    if (cli && stopped) cli.process.kill('SIGCONT');
    stopped = false;
    if (cli) expect(await cli.stop()).toBe(0);
    cli = undefined;
  });

  it('answers new TCP connections while the primary is stopped (SIGSTOP): no connection passes through it', { timeout: 60_000 }, async () => {
    cli = await startCli(['--manifest', example, '--workers', '2', '--lameduck', '0'], 20_000);
    expect((await dig(cli.port, '+tcp', HELLO)).answer).toEqual([HELLO_A]);
    cli.process.kill('SIGSTOP');
    stopped = true;
    // Ten connections, one after another (dig +tcp: a new connection per query, +time=2 s each).
    const answers: string[][] = [];
    for (let i = 0; i < 10; i++) answers.push((await dig(cli.port, '+tcp', HELLO)).answer);
    expect(answers).toEqual(Array.from({ length: 10 }, () => [HELLO_A]));
    cli.process.kill('SIGCONT');
    stopped = false;
    expect((await dig(cli.port, '+tcp', HELLO)).answer).toEqual([HELLO_A]);
  });
});
