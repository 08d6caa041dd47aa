import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusterDns, type ClusterDns } from 'clusterdns';
import { service } from 'clusterdns/testing';

describe('fetch through clusterdns', () => {
  let dns: ClusterDns;
  let backend: http.Server;
  let port: number;
  let agent: Agent;

  beforeAll(async () => {
    backend = http.createServer((req, res) => res.end(`hello from ${req.headers.host}`));
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    port = (backend.address() as AddressInfo).port;
    dns = await startClusterDns({
      objects: [service('hello', 'shop', { clusterIP: '127.0.0.1', ports: [{ name: 'http', port }] })],
      namespace: 'shop', // the app runs in namespace shop: `hello` means hello.shop.svc.cluster.local
    });
    // Every connection this agent opens resolves its host through clusterdns (net.connect's `lookup`).
    agent = new Agent({ connect: { lookup: dns.lookup } });
  });

  afterAll(async () => {
    await agent.close();
    await dns.close();
    await new Promise((resolve) => backend.close(resolve));
  });

  it('fetches a Service by its short name and by its full name', async () => {
    const short = await fetch(`http://hello:${port}/`, { dispatcher: agent });
    expect(await short.text()).toBe(`hello from hello:${port}`);
    const full = await fetch(`http://hello.shop.svc.cluster.local:${port}/`, { dispatcher: agent });
    expect(full.status).toBe(200);
  });

  it('a Service the cluster does not have fails with ENOTFOUND as the cause', async () => {
    const url = `http://nope.shop.svc.cluster.local:${port}/`;
    const error = await fetch(url, { dispatcher: agent }).catch((err: Error) => err);
    expect(error).toBeInstanceOf(TypeError); // fetch failed
    expect((error as TypeError).cause).toMatchObject({ code: 'ENOTFOUND', hostname: 'nope.shop.svc.cluster.local' });
  });
});
