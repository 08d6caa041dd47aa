// --tcp-max-conns on the built CLI, single process and --workers 2 (each worker holds its own cap): more idle
// TCP clients than the cap, then dig over TCP and UDP is still answered, and /metrics shows the connections
// closed to make room (clusterdns_tcp_connections_closed_total{reason="evicted"}) and those open.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { TcpClient } from '../helpers/raw-query.js';
import { runCli, startCli, type RunningCli } from '../helpers/spawn-cli.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/cluster.yaml', import.meta.url));
const HELLO_A = 'hello.default.svc.cluster.local. 5 IN A 10.96.0.20';

let cli: RunningCli | undefined;
const clients: TcpClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await cli?.stop();
  cli = undefined;
});

function metric(text: string, series: string): number {
  const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
  return line === undefined ? NaN : Number(line.slice(series.length + 1));
}

async function scrape(running: RunningCli): Promise<string> {
  const address = running.logs.find((line) => line.msg === 'http listening' && line.endpoint === '/metrics')?.address;
  return (await fetch(`http://${String(address)}/metrics`)).text();
}

/** Opens `count` idle connections and resolves once at least `closedAtLeast` of them were closed by the server. */
async function crowd(port: number, count: number, closedAtLeast: number): Promise<TcpClient[]> {
  const opened: TcpClient[] = [];
  for (let i = 0; i < count; i++) {
    const client = await TcpClient.connect(port);
    clients.push(client);
    opened.push(client);
  }
  const deadline = Date.now() + 30_000;
  while (opened.filter((client) => client.closed).length < closedAtLeast) {
    if (Date.now() > deadline) throw new Error(`only ${opened.filter((client) => client.closed).length}/${closedAtLeast} connections were closed`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return opened;
}

describe('clusterdns serve --tcp-max-conns', () => {
  it('with a cap of 20 and 30 idle clients: closes the 10 idle longest, answers new TCP and UDP queries, counts it', { timeout: 90_000 }, async () => {
    // A long idle timeout: every closure here is the cap's, however slow the machine.
    cli = await startCli(['--manifest', EXAMPLE, '--tcp-max-conns', '20', '--tcp-idle-timeout', '10m', '--metrics', '127.0.0.1:0'], 30_000);
    const opened = await crowd(cli.port, 30, 10);
    // The first ten opened were the idle longest.
    expect(opened.slice(0, 10).every((client) => client.closed)).toBe(true);
    expect(opened.slice(10).some((client) => client.closed)).toBe(false);
    expect((await dig(cli.port, '+tcp', 'hello.default.svc.cluster.local')).answer).toEqual([HELLO_A]);
    expect((await dig(cli.port, 'hello.default.svc.cluster.local')).answer).toEqual([HELLO_A]);
    const text = await scrape(cli);
    expect(metric(text, 'clusterdns_tcp_connections_closed_total{reason="evicted"}')).toBe(11); // dig +tcp made one more room
    expect(metric(text, 'clusterdns_tcp_connections_closed_total{reason="refused"}')).toBe(0);
    expect(metric(text, 'clusterdns_tcp_connections_open')).toBeLessThanOrEqual(20);
  });

  it('--workers 2: each worker caps its own connections, so 2 x 5 stay open and new queries are answered', { timeout: 120_000 }, async () => {
    cli = await startCli(['--manifest', EXAMPLE, '--workers', '2', '--tcp-max-conns', '5', '--tcp-idle-timeout', '10m', '--metrics', '127.0.0.1:0'], 60_000);
    await crowd(cli.port, 20, 10);
    expect((await dig(cli.port, '+tcp', 'hello.default.svc.cluster.local')).answer).toEqual([HELLO_A]);
    expect((await dig(cli.port, 'hello.default.svc.cluster.local')).answer).toEqual([HELLO_A]);
    const text = await scrape(cli);
    expect(metric(text, 'clusterdns_tcp_connections_closed_total{reason="evicted"}')).toBeGreaterThanOrEqual(10);
    expect(metric(text, 'clusterdns_tcp_connections_open')).toBeLessThanOrEqual(10);
  });

  it('rejects a cap, idle timeout or in-flight bound out of range as a bad command line (exit 2)', { timeout: 120_000 }, async () => {
    for (const args of [['--tcp-max-conns', '0'], ['--tcp-idle-timeout', '200ms'], ['--tcp-max-in-flight', 'many'], ['--deny-action', 'drop']]) {
      const result = await runCli(['serve', '--manifest', EXAMPLE, ...args], 30_000);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(args[0]);
    }
  });
});
