#!/usr/bin/env node
// `npm start`: the bundled example, offline. Two clusterdns processes:
//   127.0.0.1:1054  a stand-in upstream serving examples/upstream/ (example.com), no cluster data;
//   127.0.0.1:1053  the example: examples/cluster.yaml, zones/, and every other name forwarded to :1054.
// Ctrl-C (or SIGTERM, to npm or to this script) stops both; either one exiting stops the other. The children run in their own process
// group, so a terminal's Ctrl-C reaches them once, through this script, not twice (a second signal forces an exit).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli/bin.js', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const upstream = '127.0.0.1:1054';
const extra = process.argv.slice(2);

const children = [
  spawn(cli, ['serve', '--no-kubernetes', '--zones', 'examples/upstream', '--listen', upstream, '--resolv-conf', '/dev/null', '--lameduck', '0', '--log-level', 'warn', '--log-format', 'pretty'], { cwd: root, stdio: 'inherit', detached: true }),
  spawn(cli, ['serve', '--manifest', 'examples/cluster.yaml', '--zones', 'zones', '--upstream', upstream, '--log-format', 'pretty', ...extra], { cwd: root, stdio: 'inherit', detached: true }),
];

let exitCode = 0;
/** Set once a signal was passed on: each child stops on it, and a second one would force it out. */
let stopping = false;
const running = (child) => child.exitCode === null && child.signalCode === null;
for (const child of children) {
  child.on('exit', (code) => {
    if (code !== null && code !== 0) exitCode = code;
    if (!stopping) {
      stopping = true;
      for (const other of children) if (running(other)) other.kill('SIGTERM');
    }
    if (!children.some(running)) process.exit(exitCode);
  });
}
const stop = (signal) => {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (running(child)) child.kill(signal);
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(signal));
// `npm start` execs this script, so a SIGTERM to npm reaches it; should whatever started it still die without
// passing one on (a SIGKILL), this script is re-parented: it then stops the servers rather than leave them.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop('SIGTERM');
}, 500).unref();
