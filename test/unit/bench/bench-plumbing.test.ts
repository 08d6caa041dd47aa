// The small pure pieces of bench/run/: /proc parsing (and the readers on this very process), the rcode
// check, dig's output reduced for the cross-check, the CLI help probe for --upstream, and Knot's config.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeDigOutput } from '../../../bench/run/dig-answer.js';
import { knotConfig } from '../../../bench/run/knot-config.js';
import { cpuTicks, parseStat, parseVmRssKiB, processTree, rssKiB } from '../../../bench/run/process-stats.js';
import { rcodeCheck } from '../../../bench/run/rcode-check.js';
import { helpListsFlag, upstreamUnsupportedReason } from '../../../bench/run/upstream-support.js';

describe('bench /proc readers', () => {
  it('reads ppid, utime and stime after the command name, even one with spaces and parentheses', () => {
    const stat = '4242 (node (worker) 1) S 17 4242 17 0 -1 4194560 100 0 0 0 250 31 0 0 20 0 11 0 123 456 789';
    expect(parseStat(stat)).toEqual({ ppid: 17, utime: 250, stime: 31 });
  });

  it('reads VmRSS in KiB, and 0 when a process has none', () => {
    expect(parseVmRssKiB('Name:\tnode\nVmPeak:\t 900 kB\nVmRSS:\t  123456 kB\nRssAnon:\t 1 kB\n')).toBe(123456);
    expect(parseVmRssKiB('Name:\tzombie\nState:\tZ\n')).toBe(0);
  });

  it('finds this process in its own tree with a non-zero RSS and CPU time, and nothing for a PID that does not exist', () => {
    expect(processTree(process.pid)[0]).toBe(process.pid);
    expect(rssKiB([process.pid])).toBeGreaterThan(10_000);
    expect(cpuTicks([process.pid])).toBeGreaterThan(0);
    expect(rssKiB([2 ** 22 + 1])).toBe(0);
  });
});

describe('bench rcode check', () => {
  it('accepts the hits mix at 5 % NXDOMAIN within a point, the storm at 100 %, forwarded names at 0 %', () => {
    expect(rcodeCheck(false, 0.05, { completed: 1000, rcodes: { NOERROR: 948, NXDOMAIN: 52 } })).toBe('ok');
    expect(rcodeCheck(false, 1, { completed: 10, rcodes: { NXDOMAIN: 10 } })).toBe('ok');
    expect(rcodeCheck(false, 0, { completed: 10, rcodes: { NOERROR: 10 } })).toBe('ok');
  });

  it('rejects SERVFAIL in the mix, a wrong NXDOMAIN share, and no answers; the probe is n/a', () => {
    expect(rcodeCheck(false, 0, { completed: 100, rcodes: { NOERROR: 99, SERVFAIL: 1 } })).toBe('BAD (NOERROR 99.00 %, NXDOMAIN 0.00 %, want NXDOMAIN 0 %)');
    expect(rcodeCheck(false, 0.05, { completed: 100, rcodes: { NOERROR: 80, NXDOMAIN: 20 } })).toMatch(/^BAD/);
    expect(rcodeCheck(false, 0.05, { completed: 0, rcodes: {} })).toBe('no answers');
    expect(rcodeCheck(true, 0.05, { completed: 0, rcodes: {} })).toBe('n/a');
  });
});

describe('bench dig cross-check', () => {
  it('reduces dig output to status and sorted, lower-cased answers, so that order and spacing do not differ', () => {
    const out = [
      ';; Got answer:',
      ';; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1',
      'svc-1.ns-0.svc.cluster.local.\tIN\tA\t10.96.0.2',
      'SVC-1.ns-0.svc.cluster.local.   IN A 10.96.0.1',
    ].join('\n');
    expect(normalizeDigOutput(out)).toBe('NOERROR|svc-1.ns-0.svc.cluster.local. in a 10.96.0.1 ; svc-1.ns-0.svc.cluster.local. in a 10.96.0.2');
    expect(normalizeDigOutput(';; communications error: timed out')).toBe('NO-REPLY|');
  });
});

describe('bench upstream probe', () => {
  it('finds a flag only where the help lists it, not inside another flag or a sentence', () => {
    const help = '  --upstream ADDR[:PORT]  forward names outside the cluster zones\n  --upstream-tls  x\n';
    expect(helpListsFlag(help, '--upstream')).toBe(true);
    expect(helpListsFlag('  --upstream-tls  x\n  --zone NAME  see --upstream\n', '--upstream')).toBe(false);
  });

  it('asks the CLI itself: null when `serve --help` lists --upstream, else a reason naming the command; a missing CLI says build', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-cli-'));
    try {
      const cli = (name: string, help: string) => {
        const file = join(dir, name);
        writeFileSync(file, `if (process.argv[2] === 'serve' && process.argv[3] === '--help') process.stdout.write(${JSON.stringify(help)});\n`);
        return file;
      };
      expect(upstreamUnsupportedReason(cli('with.mjs', 'Flags of serve:\n  --upstream ADDR[:PORT]  forward\n'))).toBeNull();
      expect(upstreamUnsupportedReason(cli('without.mjs', 'Flags of serve:\n  --zone NAME  cluster domain\n'))).toMatch(/no --upstream flag \(`node .*without\.mjs serve --help` does not list it\)/);
      expect(upstreamUnsupportedReason(join(dir, 'absent.mjs'))).toMatch(/absent\.mjs is missing \(npm run build\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bench Knot config', () => {
  it('lists every zone with its file, listening on the given 127.0.0.1 port', () => {
    const conf = knotConfig('/tmp/k', 5353, [{ domain: 'cluster.local', file: '/z/a.zone' }, { domain: 'fwd.bench', file: '/z/f.zone' }]);
    expect(conf).toContain('listen: 127.0.0.1@5353');
    expect(conf).toMatch(/zone:\n {2}- domain: cluster\.local\n {4}file: "\/z\/a\.zone"\n {2}- domain: fwd\.bench\n {4}file: "\/z\/f\.zone"\n$/);
  });
});
