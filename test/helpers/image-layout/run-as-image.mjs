#!/usr/bin/env node
// Run inside `unshare -n -m` (as root) by test/e2e/image-layout.test.ts: runs the image's entrypoint from LAYOUT
// (the Dockerfile's final stage laid out in a folder) the way a pod runs it: uid/gid 65532 with no groups, the
// capability bounding set cut to NET_BIND_SERVICE, the root filesystem read-only, listening on port 53 of a
// network namespace with only loopback. First with a node binary that lacks the file capability (binding 53
// must fail), then with the one that has it. Nothing leaves the namespace: forwarding reads /dev/null.
//
// Usage: run-as-image.mjs LAYOUT DIG   Prints one JSON object with what it saw.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const [layout, dig] = process.argv.slice(2);
const app = `${layout}/opt/clusterdns/node_modules/clusterdns`;
const args = ['serve', '--manifest', `${app}/examples/cluster.yaml`, '--zones', `${app}/zones`, '--listen', '127.0.0.1:53', '--ready', '127.0.0.1:8181', '--resolv-conf', '/dev/null'];

execFileSync('ip', ['link', 'set', 'lo', 'up']);
execFileSync('mount', ['--make-rprivate', '/']);
execFileSync('mount', ['-o', 'remount,bind,ro', '/']);

/** `clusterdns ARGS` as the image's ENTRYPOINT runs it: found on PATH, node found by its shebang on PATH. */
function entrypoint(nodeDir) {
  const env = { PATH: `${layout}/opt/clusterdns/node_modules/.bin:${nodeDir}:/usr/bin:/bin`, NODE_ENV: 'production', HOME: '/nonexistent' };
  const setpriv = ['--reuid', '65532', '--regid', '65532', '--clear-groups', '--bounding-set', '-all,+net_bind_service', '--inh-caps', '-all'];
  return spawn('setpriv', [...setpriv, 'clusterdns', ...args], { cwd: `${layout}/tmp`, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
const withoutCap = entrypoint(`${layout}/nocap/bin`);
result.withoutCapability = await outcome(withoutCap);
if (result.withoutCapability.state === 'serving') withoutCap.kill('SIGKILL');

const server = entrypoint(`${layout}/usr/local/bin`);
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
