// The built CLI pointed at a kubeconfig (the API server emulator on 127.0.0.1), queried with real dig:
// what a user does with `clusterdns serve --kubeconfig ~/.kube/config`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiEmulator, endpointSlice, namespace, service, tempDir, writeKubeconfig } from '../helpers/api-emulator/index.js';
import { dig } from '../helpers/dig.js';
import { startCli, type RunningCli } from '../helpers/spawn-cli.js';

const TOKEN = 'e2e-token';

async function digUntil(port: number, name: string, accept: (answer: string[], status: string) => boolean): Promise<{ answer: string[]; status: string }> {
  const deadline = Date.now() + 5000;
  let last = { answer: [] as string[], status: '' };
  while (Date.now() < deadline) {
    const result = await dig(port, name);
    last = { answer: result.answer, status: result.status };
    if (accept(last.answer, last.status)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return last;
}

describe('clusterdns serve --kubeconfig', () => {
  let emu: ApiEmulator;
  let cli: RunningCli;
  let cleanupDir: () => Promise<void>;

  beforeAll(async () => {
    emu = await new ApiEmulator({ token: TOKEN }).start();
    emu.applyAll([
      namespace('default'),
      service('default', 'hello', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] }),
      service('default', 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }),
      endpointSlice('default', 'db-1', 'db', { endpoints: [{ addresses: ['10.244.0.5'], hostname: 'db-0' }], ports: [{ name: 'pg', port: 5432 }] }),
    ]);
    const dir = await tempDir();
    cleanupDir = dir.remove;
    const kubeconfig = await writeKubeconfig(dir.dir, { contexts: [{ name: 'emulator', server: emu.url, token: TOKEN }] });
    cli = await startCli(['--kubeconfig', kubeconfig]);
  });
  afterAll(async () => {
    expect(await cli.stop()).toBe(0);
    await emu.close();
    await cleanupDir();
  });

  it('logs the credentials it uses and when it is synced', async () => {
    await digUntil(cli.port, 'hello.default.svc.cluster.local', (answer) => answer.length > 0);
    expect(cli.logs.find((entry) => entry.msg === 'using Kubernetes credentials')).toMatchObject({ source: 'flag', context: 'emulator' });
    expect(cli.logs.some((entry) => String(entry.msg).includes('synced'))).toBe(true);
  });

  it('answers the cluster’s services, then follows changes made through the API', async () => {
    const hello = await digUntil(cli.port, 'hello.default.svc.cluster.local', (answer) => answer.length > 0);
    expect(hello.answer).toEqual(['hello.default.svc.cluster.local. 5 IN A 10.96.0.20']);
    expect((await dig(cli.port, 'db-0.db.default.svc.cluster.local')).answer).toEqual(['db-0.db.default.svc.cluster.local. 5 IN A 10.244.0.5']);

    emu.apply(service('default', 'late', { clusterIP: '10.96.0.77', ports: [{ name: 'http', port: 80 }] }));
    const late = await digUntil(cli.port, 'late.default.svc.cluster.local', (answer) => answer.length > 0);
    expect(late.answer).toEqual(['late.default.svc.cluster.local. 5 IN A 10.96.0.77']);

    emu.delete('Service', 'default', 'hello');
    const gone = await digUntil(cli.port, 'hello.default.svc.cluster.local', (_answer, status) => status === 'NXDOMAIN');
    expect(gone.status).toBe('NXDOMAIN');
  });
});
