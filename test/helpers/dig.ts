// Runs the real `dig` against a local server and parses what it printed.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DigResult {
  status: string;
  flags: string[];
  answer: string[];
  authority: string[];
  additional: string[];
  /** Everything dig printed, for failure messages. */
  output: string;
}

/** `dig @127.0.0.1 -p PORT ARGS…`; records come back as single-space-separated zone-file lines. */
export async function dig(port: number, ...args: string[]): Promise<DigResult> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=2', '+nocookie', ...args], { timeout: 10_000 });
  return parseDig(stdout);
}

export function parseDig(output: string): DigResult {
  const result: DigResult = { status: '', flags: [], answer: [], authority: [], additional: [], output };
  let section: 'answer' | 'authority' | 'additional' | null = null;
  for (const line of output.split('\n')) {
    const header = /status: ([A-Z]+)/.exec(line);
    if (header) result.status = header[1];
    const flags = /;; flags: ([a-z ]+);/.exec(line);
    if (flags) result.flags = flags[1].trim().split(/\s+/);
    if (line.startsWith(';; ANSWER SECTION')) section = 'answer';
    else if (line.startsWith(';; AUTHORITY SECTION')) section = 'authority';
    else if (line.startsWith(';; ADDITIONAL SECTION')) section = 'additional';
    else if (line.trim() === '' || line.startsWith(';')) {
      if (line.trim() === '') section = null;
    } else if (section) result[section].push(line.trim().split(/\s+/).join(' '));
  }
  return result;
}
