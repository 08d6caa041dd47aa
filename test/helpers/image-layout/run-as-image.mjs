#!/usr/bin/env node
// Run inside `unshare -n -m` (as root) by test/e2e/image-layout.test.ts: runs the image's entrypoint from LAYOUT
// (the Dockerfile's final stage laid out in a folder) the way the container runtime runs the chart's pod: uid/gid
// 65532 with no groups, the bounding set cut to NET_BIND_SERVICE, that capability in the permitted set,
// no_new_privs (allowPrivilegeEscalation: false), then one exec of the entrypoint; the root filesystem is
// read-only and it listens on port 53 of a network namespace with only loopback. First without the capability
// in the permitted set (a pod that does not add it: binding 53 must fail), then with it. Nothing leaves the
// namespace: forwarding reads /dev/null.
//
// Usage: run-as-image.mjs LAYOUT DIG   Prints one JSON object with what it saw.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const [layout, dig] = process.argv.slice(2);
const app = `${layout}/opt/clusterdns/node_modules/clusterdns`;
// The image's CMD, `serve --conf /etc/coredns/Corefile`, with the Corefile of deploy/clusterdns.yaml's ConfigMap
// (what the chart renders by default) where the pod mounts it; the cluster comes from the bundled snapshot instead
// of an API server, the zones from the package, and `forward . /etc/resolv.conf` reads /dev/null.
const manifest = new URL('../../../deploy/clusterdns.yaml', import.meta.url);
const configMap = parseAllDocuments(readFileSync(manifest, 'utf8')).map((doc) => doc.toJS()).find((object) => object?.kind === 'ConfigMap');
const corefile = `${layout}/etc/coredns/Corefile`;
mkdirSync(`${layout}/etc/coredns`, { recursive: true });
writeFileSync(corefile, configMap.data.Corefile);
const args = ['serve', '--conf', corefile, '--manifest', `${app}/examples/cluster.yaml`, '--zones', `${app}/zones`, '--resolv-conf', '/dev/null'];

execFileSync('ip', ['link', 'set', 'lo', 'up']);
execFileSync('mount', ['--make-rprivate', '/']);
execFileSync('mount', ['-o', 'remount,bind,ro', '/']);

const PATH = `${layout}/opt/clusterdns/node_modules/.bin:${layout}/usr/local/bin:/usr/bin:/bin`;
// ENTRYPOINT ["clusterdns"]: the runtime finds it on the image's PATH and execs it.
const clusterdns = `${layout}/opt/clusterdns/node_modules/.bin/clusterdns`;
const capsh = execFileSync('sh', ['-c', 'command -v capsh'], { encoding: 'utf8' }).trim();
const bounding = /Bounding set =(\S*)/.exec(execFileSync(capsh, ['--print'], { encoding: 'utf8' }))[1].split(',');
const dropped = bounding.filter((cap) => cap !== 'cap_net_bind_service').join(',');

/** The entrypoint under the pod's securityContext; `addCapability` false is a pod that does not add NET_BIND_SERVICE. */
function entrypoint(addCapability) {
  const env = { PATH, NODE_ENV: 'production', HOME: '/nonexistent' };
  const credentials = ['--gid=65532', '--groups=', addCapability ? '--keep=1' : '--keep=0', '--uid=65532'];
  const capabilities = addCapability ? ['--caps=cap_net_bind_service+p'] : [];
  const options = [`--drop=${dropped}`, ...credentials, ...capabilities, '--no-new-privs', `--shell=${clusterdns}`, '--', ...args];
  return spawn(capsh, options, { cwd: `${layout}/tmp`, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with the child's exit code and output, or with 'serving' once it logs that it serves. */
function outcome(child, timeoutMs = 20_000) {
  return new Promise((resolve) => {
    let output = '';
    const timer = setTimeout(() => resolve({ state: 'timeout', output }), timeoutMs);
    const read = (chunk) => {
      output += chunk;
      if (output.includes('"msg":"serving"')) {
        clearTimeout(timer);
        resolve({ state: 'serving', output });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    // 'close', not 'exit': the last lines (the error) may still be in the pipes when the process exits.
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ state: 'exited', code, output });
    });
  });
}

const result = {};
const withoutCap = entrypoint(false);
result.withoutCapability = await outcome(withoutCap);
if (result.withoutCapability.state === 'serving') withoutCap.kill('SIGKILL');

const server = entrypoint(true);
result.withCapability = await outcome(server);
try {
  if (result.withCapability.state === 'serving') {
    const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
    result.uid = /^Uid:\s+(.*)$/m.exec(status)?.[1];
    result.gid = /^Gid:\s+(.*)$/m.exec(status)?.[1];
    result.capEff = /^CapEff:\s+(.*)$/m.exec(status)?.[1];
    const ask = (...extra) => execFileSync(dig, ['@127.0.0.1', '-p', '53', '+short', '+time=2', '+tries=1', ...extra], { encoding: 'utf8' }).trim();
    result.udp = ask('hello.default.svc.cluster.local');
    result.tcp = ask('+tcp', 'www.example.internal');
    result.ready = await fetch('http://127.0.0.1:8181/ready').then((r) => r.status);
    result.rootOptions = execFileSync('findmnt', ['-no', 'OPTIONS', '/'], { encoding: 'utf8' }).trim();
  }
} finally {
  server.kill('SIGTERM');
  result.exit = await new Promise((resolve) => (server.exitCode !== null ? resolve(server.exitCode) : server.once('exit', (code, signal) => resolve(code ?? signal))));
}
console.log(JSON.stringify(result));
