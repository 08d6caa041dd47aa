// ReloadableServer in-process: which reloads apply, which leave the running configuration, and what happens to
// the sockets and the HTTP endpoints in each case.
import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReloadableServer } from '../../src/corefile/reloadable-server.js';
import type { CorefileSettings } from '../../src/corefile/corefile-settings.js';
import { RRType } from '../../src/wire/types.js';
import { captureLogger } from '../helpers/api-emulator/index.js';
import { TestUpstream, a } from '../helpers/upstream/test-upstream.js';
import { udpExchange, queryBytes, udpQuery } from '../helpers/raw-query.js';

const MANIFEST = new URL('../../examples/cluster.yaml', import.meta.url).pathname;

describe('ReloadableServer', () => {
  let dir = '';
  let server: ReloadableServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(corefile: string, retireMs = 0) {
    dir = mkdtempSync(join(tmpdir(), 'reload-'));
    const conf = join(dir, 'Corefile');
    writeFileSync(conf, corefile);
    const log = captureLogger('info');
    server = await ReloadableServer.start({
      conf,
      logger: log.logger,
      retireMs,
      build: (settings: CorefileSettings) => ({
        listen: { host: settings.listen.host === '0.0.0.0' ? '127.0.0.1' : settings.listen.host, port: settings.listen.port },
        manifest: MANIFEST,
        zones: settings.kubernetes?.zones,
        ttl: settings.kubernetes?.ttl,
        health: settings.health,
        zoneDirectory: settings.zoneDirectory,
        forward: settings.forward.upstreams.length > 0 ? { upstreams: settings.forward.upstreams, cacheSize: 0, detectLoops: false } : undefined,
      }),
    });
    return { conf, log, server };
  }

  const ttlOf = async (port: number) => (await udpQuery(port, 'hello.default.svc.cluster.local', RRType.A)).answers[0]?.ttl;

  it('an unchanged Corefile is not applied again; a changed one is, on the same port', async () => {
    const { conf, server } = await start('.:0 {\n kubernetes cluster.local {\n  ttl 11\n }\n}\n');
    const port = server.current.address.port;
    expect(await server.reload()).toBe('unchanged');
    writeFileSync(conf, '.:0 {\n kubernetes cluster.local {\n  ttl 12\n }\n}\n');
    expect(await server.reload()).toBe('applied');
    expect(server.current.address.port).toBe(port);
    expect(await ttlOf(port)).toBe(12);
    expect(server.counts).toEqual({ applied: 1, failed: 0 });
  });

  it('a configuration that cannot start (a broken zone file) leaves the old one serving, its /health reopened', async () => {
    const { conf, log, server } = await start('.:0 {\n health 127.0.0.1:0\n kubernetes cluster.local {\n  ttl 11\n }\n}\n');
    const port = server.current.address.port;
    const zones = join(dir, 'zones');
    mkdirSync(zones);
    writeFileSync(join(zones, 'example.test.db'), '$ORIGIN example.test.\n@ 300 IN SOA ns hostmaster 1 2 3 4 5\nbad line here\n');
    writeFileSync(conf, `.:0 {\n health 127.0.0.1:0\n file ${zones}\n kubernetes cluster.local {\n  ttl 12\n }\n}\n`);
    expect(await server.reload()).toBe('failed');
    expect(server.counts.failed).toBe(1);
    expect(log.matching('Corefile not reloaded')[0]).toMatchObject({ code: 'CLUSTERDNS_ERR_ZONE_PARSE' });
    expect(await ttlOf(port)).toBe(11);
    const health = server.current.http.health!;
    expect((await fetch(`http://127.0.0.1:${health.port}/health`)).status).toBe(200);
  });

  it('a question being forwarded when the configuration is replaced still gets its answer', async () => {
    const upstream = new TestUpstream().answer('slow.example.com', { answer: a('slow.example.com', '192.0.2.7', 60), delayMs: 400 });
    await upstream.start();
    try {
      const { conf, server } = await start(`.:0 {\n forward . 127.0.0.1:${upstream.port}\n kubernetes cluster.local\n}\n`, 2500);
      const port = server.current.address.port;
      const inFlight = udpQuery(port, 'slow.example.com', RRType.A);
      await upstream.waitForQueries('slow.example.com', 1);
      writeFileSync(conf, `.:0 {\n forward . 127.0.0.1:${upstream.port}\n kubernetes cluster.local {\n  ttl 9\n }\n}\n`);
      expect(await server.reload()).toBe('applied');
      const reply = await inFlight;
      expect(reply.answers.map((record) => record.data)).toEqual(['192.0.2.7']);
      expect(await ttlOf(port)).toBe(9);
    } finally {
      await upstream.close();
    }
  });

  it('a new listen address gets new sockets and the old ones close', async () => {
    const { conf, server } = await start('.:0 {\n kubernetes cluster.local\n}\n');
    const oldPort = server.current.address.port;
    // Port 0 stays the same configured address; bind 127.0.0.2 is another address.
    writeFileSync(conf, '.:0 {\n bind 127.0.0.2\n kubernetes cluster.local\n}\n');
    expect(await server.reload()).toBe('applied');
    expect(server.current.address.host).toBe('127.0.0.2');
    const reply = await new Promise<Buffer | null>((resolve) => {
      const socket = dgram.createSocket('udp4');
      const timer = setTimeout(() => (socket.close(), resolve(null)), 1000);
      socket.once('message', (message) => (clearTimeout(timer), socket.close(), resolve(message)));
      socket.send(queryBytes('hello.default.svc.cluster.local', RRType.A), server.current.address.port, '127.0.0.2');
    });
    expect(reply).not.toBeNull();
    expect(await udpExchange(oldPort, queryBytes('hello.default.svc.cluster.local', RRType.A), 300)).toBeNull();
  });
});
