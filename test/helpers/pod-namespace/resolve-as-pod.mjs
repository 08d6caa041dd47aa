#!/usr/bin/env node
// Run inside `unshare -n -m` (a network namespace with only its own loopback, a private mount namespace) by
// test/e2e/pod-resolver.test.ts: resolves names the way a pod does, with glibc's stub resolver (`getent
// hosts`) reading a pod's resolv.conf, against clusterdns on 127.0.0.1:53. The stand-in upstream (a second
// clusterdns serving examples/upstream/) listens on 127.0.0.1:1054 in the same namespace, so nothing can leave it.
//
// Usage: resolve-as-pod.mjs CLI RESOLV_CONF ROOT NAME...   Prints one JSON object: name → getent's output.
import { execFileSync, spawn } from 'node:child_process';

const [cli, resolvConf, root, ...names] = process.argv.slice(2);
execFileSync('ip', ['link', 'set', 'lo', 'up']);
execFileSync('mount', ['--bind', resolvConf, '/etc/resolv.conf']);

/** Starts `clusterdns serve ARGS` and resolves once it logs 'serving' (rejects if it exits first). */
function serve(args) {
  const child = spawn(process.execPath, [cli, 'serve', '--lameduck', '0', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      const lines = (buffered + chunk).split('\n');
      buffered = lines.pop() ?? '';
      if (lines.some((line) => line.includes('"msg":"serving"'))) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`clusterdns ${args.join(' ')} exited with ${code}`)));
  });
}

const children = [];
try {
  children.push(await serve(['--no-kubernetes', '--zones', 'examples/upstream', '--listen', '127.0.0.1:1054', '--resolv-conf', '/dev/null']));
  children.push(await serve(['--manifest', 'examples/cluster.yaml', '--zones', 'zones', '--upstream', '127.0.0.1:1054', '--listen', '127.0.0.1:53']));
  const results = {};
  for (const name of names) {
    try {
      results[name] = execFileSync('getent', ['hosts', name], { encoding: 'utf8', timeout: 10_000 }).trim();
    } catch (err) {
      results[name] = `exit ${err.status}`; // getent exits 2 when the name does not resolve
    }
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
} finally {
  for (const child of children) child.kill('SIGTERM');
}
