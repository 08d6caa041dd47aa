// CPU time and RSS of a server's whole process tree from /proc (NSD forks a server and an xfrd process;
// clusterdns-all forks its workers). The parsers are pure; the readers skip processes that have exited.
import { readFileSync, readdirSync } from 'node:fs';

/** USER_HZ on Linux: the unit of utime and stime in /proc/PID/stat. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** ppid, utime and stime of one /proc/PID/stat line (the command name may hold spaces and parentheses). */
export function parseStat(text: string): { ppid: number; utime: number; stime: number } {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), utime: Number(fields[11]), stime: Number(fields[12]) };
}

/** VmRSS of one /proc/PID/status in KiB; 0 when absent (a zombie). */
export function parseVmRssKiB(text: string): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(text);
  return m ? Number(m[1]) : 0;
}

function readOr<T>(path: string, parse: (text: string) => T, fallback: T): T {
  try {
    return parse(readFileSync(path, 'utf8'));
  } catch {
    return fallback;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (readOr(`/proc/${entry}/stat`, (t) => parseStat(t).ppid, -1) === pid) out.push(Number(entry));
  }
  return out;
}

/** pid and its descendants (at most 64). */
export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length && all.length < 64; i++) all.push(...childrenOf(all[i]));
  return all;
}

export function cpuTicks(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) ticks += readOr(`/proc/${pid}/stat`, (t) => { const s = parseStat(t); return s.utime + s.stime; }, 0);
  return ticks;
}

export function rssKiB(pids: readonly number[]): number {
  let kib = 0;
  for (const pid of pids) kib += readOr(`/proc/${pid}/status`, parseVmRssKiB, 0);
  return kib;
}

/** RSS of the tree in MiB with one decimal. */
export const rssMiB = (pids: readonly number[]): number => Math.round((rssKiB(pids) / 1024) * 10) / 10;
