#!/usr/bin/env node
// `npm start`: the bundled example, offline. Two clusterdns processes:
//   127.0.0.1:1054  a stand-in upstream serving examples/upstream/ (example.com), no cluster data;
//   127.0.0.1:1053  the example: examples/cluster.yaml, zones/, and every other name forwarded to :1054.
// Ctrl-C (or SIGTERM) stops both; either one exiting stops the other.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const upstream = '127.0.0.1:1054';
const extra = process.argv.slice(2);

const children = [
  spawn(process.execPath, [cli, 'serve', '--no-kubernetes', '--zones', 'examples/upstream', '--listen', upstream, '--resolv-conf', '/dev/null', '--log-level', 'warn', '--log-format', 'pretty'], { cwd: root, stdio: 'inherit' }),
  spawn(process.execPath, [cli, 'serve', '--manifest', 'examples/cluster.yaml', '--zones', 'zones', '--upstream', upstream, '--log-format', 'pretty', ...extra], { cwd: root, stdio: 'inherit' }),
];

let exitCode = 0;
for (const child of children) {
  child.on('exit', (code, signal) => {
    if (code !== null && code !== 0) exitCode = code;
    for (const other of children) if (other !== child && other.exitCode === null && other.signalCode === null) other.kill(signal ?? 'SIGTERM');
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(exitCode);
  });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) if (child.exitCode === null) child.kill(signal);
  });
}
