// CoreDNS `errors` with consolidation: one line per distinct SERVFAIL cause per interval, and the next line of
// that cause says how many were left out.
import { describe, expect, it } from 'vitest';
import { ServfailLog } from '../../../src/log/servfail-log.js';
import { RRType } from '../../../src/wire/types.js';
import { captureLogger } from '../../helpers/api-emulator/index.js';

describe('ServfailLog', () => {
  it('logs a cause once per interval, other causes on their own, and counts what it left out', () => {
    const captured = captureLogger();
    let now = 0;
    const log = new ServfailLog(captured.logger, 10_000, () => now);
    for (let i = 0; i < 50; i++) log.report('forward: no upstream answered', `q${i}.example`, RRType.A);
    log.report('kubernetes: not synced with the cluster yet', 'hello.default.svc.cluster.local', RRType.AAAA);
    expect(captured.lines.map((line) => line.msg)).toEqual([
      '2 q0.example. A: forward: no upstream answered',
      '2 hello.default.svc.cluster.local. AAAA: kubernetes: not synced with the cluster yet',
    ]);
    now = 10_000;
    log.report('forward: no upstream answered', 'later.example', RRType.A);
    expect(captured.lines[2]).toMatchObject({ level: 50, rcode: 'SERVFAIL', qname: 'later.example', qtype: 'A', cause: 'forward: no upstream answered', suppressed: 49 });
  });
});
