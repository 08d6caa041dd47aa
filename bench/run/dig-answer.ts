// The answer cross-check: one question through `dig`, reduced to "STATUS|sorted answer lines" with TTLs left
// out, so that clusterdns's answers can be compared with Knot's and NSD's line for line.
import { spawnSync } from 'node:child_process';

/** `dig +noall +comments +answer +nottlid` output → "STATUS|answer ; answer" (lower case, sorted). */
export function normalizeDigOutput(out: string): string {
  const status = /status: (\w+)/.exec(out)?.[1] ?? 'NO-REPLY';
  const answers = out
    .split('\n')
    .filter((line) => line && !line.startsWith(';'))
    .map((line) => line.trim().split(/\s+/).join(' ').toLowerCase())
    .sort();
  return `${status}|${answers.join(' ; ')}`;
}

export function digNormalized(port: number, name: string, type: string): string {
  const r = spawnSync('dig', ['@127.0.0.1', '-p', String(port), name, type, '+noall', '+comments', '+answer', '+nottlid', '+tries=1', '+time=2'], { encoding: 'utf8', timeout: 5000 });
  return normalizeDigOutput(`${r.stdout ?? ''}${r.stderr ?? ''}`);
}
