// The image without a Docker engine: the packed package installed with production dependencies only into a
// fresh folder, laid out as the Dockerfile's final stage (/opt/clusterdns with its node_modules/.bin on PATH,
// node in /usr/local/bin with cap_net_bind_service and named by the entrypoint's shebang), then its `clusterdns`
// entrypoint run as the chart's pod runs it (uid 65532, NET_BIND_SERVICE only, no privilege escalation) on port
// 53 with the root filesystem read-only, inside a network namespace of the test's own (root, unshare, capsh,
// setcap; skipped where the machine does not allow them).
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const runner = fileURLToPath(new URL('../helpers/image-layout/run-as-image.mjs', import.meta.url));
const npm = join(process.execPath, '..', process.platform === 'win32' ? 'npm.cmd' : 'npm');

/** Whether this machine lets the test become uid 65532 in namespaces of its own and set file capabilities. */
function namespacesAvailable(): boolean {
  try {
    if (process.getuid?.() !== 0) return false;
    for (const tool of [['unshare', '-n', '-m', 'true'], ['capsh', '--print'], ['setcap', '-v', 'cap_net_bind_service=+ep', process.execPath], ['findmnt', '--version']]) {
      try {
        execFileSync(tool[0], tool.slice(1), { stdio: 'ignore' });
      } catch (err) {
        // `setcap -v` exits 1 when the binary lacks the capability: the program exists, which is all we ask.
        if ((err as { status?: number }).status === undefined) throw err;
      }
    }
    return true;
  } catch {
    return false;
  }
}

describe('the image layout (packed package + production dependencies)', () => {
  let layout: string;
  const app = () => join(layout, 'opt/clusterdns/node_modules/clusterdns');

  beforeAll(async () => {
    layout = mkdtempSync(join(tmpdir(), 'clusterdns-image-'));
    chmodSync(layout, 0o755);
    const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', layout], { cwd: root, timeout: 60_000 });
    const tarball = join(layout, (JSON.parse(stdout) as Array<{ filename: string }>)[0].filename);
    // The Dockerfile's install stage; --prefer-offline takes the packages from npm's cache when it has them.
    await run(npm, ['install', '--prefix', join(layout, 'opt/clusterdns'), '--omit=dev', '--no-audit', '--no-fund', '--no-package-lock', '--prefer-offline', tarball], { timeout: 240_000 });
    rmSync(tarball);
    mkdirSync(join(layout, 'tmp'));
    mkdirSync(join(layout, 'usr/local/bin'), { recursive: true });
    copyFileSync(realpathSync(process.execPath), join(layout, 'usr/local/bin/node'));
    chmodSync(join(layout, 'usr/local/bin/node'), 0o755);
    // The Dockerfile's shebang rewrite, to the layout's node, keeping the young-generation flag.
    const bin = join(layout, 'opt/clusterdns/node_modules/clusterdns/dist/cli/bin.js');
    const lines = readFileSync(bin, 'utf8').split('\n');
    expect(lines[0]).toMatch(/^#!\/usr\/bin\/env -S node --max-semi-space-size=\d+$/);
    writeFileSync(bin, [lines[0].replace('#!/usr/bin/env -S node ', `#!${join(layout, 'usr/local/bin/node')} `), ...lines.slice(1)].join('\n'));
  }, 300_000);
  afterAll(() => layout && rmSync(layout, { recursive: true, force: true }));

  it('holds dist/ and the production dependencies only: no sources, tests or dev dependencies', () => {
    expect(existsSync(join(app(), 'dist/cli/bin.js'))).toBe(true);
    for (const absent of ['src', 'test', 'tsconfig.json', 'chart']) expect(existsSync(join(app(), absent)), absent).toBe(false);
    const installed = readdirSync(join(layout, 'opt/clusterdns/node_modules'));
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies)) expect(installed.some((d) => dep === d || dep.startsWith(`${d}/`)), dep).toBe(true);
    // @types/node and ajv also come in as dependencies of production packages; the tools must not.
    for (const dev of ['typescript', 'vitest', 'dns-packet', '@types/dns-packet', 'dockerfile-utils', 'kubernetes-models']) {
      expect(Object.keys(pkg.devDependencies)).toContain(dev);
      expect(existsSync(join(layout, 'opt/clusterdns/node_modules', dev)), dev).toBe(false);
    }
    expect(realpathSync(join(layout, 'opt/clusterdns/node_modules/.bin/clusterdns'))).toBe(join(app(), 'dist/cli/bin.js'));
  });

  it.runIf(namespacesAvailable())(
    'the image’s command (serve --conf with the chart’s Corefile) as the pod runs it (uid 65532, NET_BIND_SERVICE only, no privilege escalation, read-only root) binds port 53 and answers dig; without the capability it cannot',
    { timeout: 120_000 },
    async () => {
      execFileSync('setcap', ['cap_net_bind_service=+ep', join(layout, 'usr/local/bin/node')]);
      const { stdout } = await run('unshare', ['-n', '-m', process.execPath, runner, layout, '/usr/bin/dig'], { timeout: 100_000 });
      const result = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown> & { withoutCapability: { state: string; code?: number; output: string }; withCapability: { state: string; output: string } };
      // A pod that does not add NET_BIND_SERVICE cannot bind 53: the capability is what does it.
      expect(result.withoutCapability.state).toBe('exited');
      expect(result.withoutCapability.code).toBe(1);
      expect(result.withoutCapability.output, result.withoutCapability.output).toMatch(/:53 needs privileges.*CLUSTERDNS_ERR_SERVER_LISTEN/);
      expect(result.withCapability.state, result.withCapability.output).toBe('serving');
      expect(result.uid).toBe('65532\t65532\t65532\t65532');
      expect(result.gid).toBe('65532\t65532\t65532\t65532');
      expect(BigInt(`0x${String(result.capEff)}`)).toBe(1n << 10n); // CAP_NET_BIND_SERVICE only
      expect(String(result.rootOptions).split(',')).toContain('ro');
      expect(result.udp).toBe('10.96.0.20');
      expect(result.tcp).toBe('192.0.2.10');
      expect(result.ready).toBe(200);
      expect(result.exit).toBe(0);
    },
  );
});
