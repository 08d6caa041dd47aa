// --log-queries writes CoreDNS's common log format: remote, id, "type class name proto size do bufsize",
// rcode, reply flags, reply size, duration in seconds.
import { describe, expect, it } from 'vitest';
import { formatQueryLine } from '../../../src/log/query-log.js';
import { parseQuery } from '../../../src/wire/query.js';
import { RRType } from '../../../src/wire/types.js';
import { queryBytes } from '../../helpers/raw-query.js';

describe('formatQueryLine', () => {
  it('writes a query as CoreDNS log does, IPv6 clients in brackets', () => {
    const raw = queryBytes('Hello.Default.svc.cluster.local', RRType.AAAA);
    const parsed = parseQuery(raw);
    if (parsed.kind !== 'ok') throw new Error('query did not parse');
    const reply = Buffer.alloc(90);
    reply.writeUInt16BE(0x8500, 2); // qr aa rd
    const line = formatQueryLine({ remoteAddress: 'fd00::5', remotePort: 40000, transport: 'tcp', query: parsed.query, size: raw.length, reply, rcode: 3, seconds: 0.000167126 });
    expect(line).toBe(`[fd00::5]:40000 - ${parsed.query.id} "AAAA IN hello.default.svc.cluster.local. tcp ${raw.length} false 512" NXDOMAIN qr,aa,rd 90 0.000167126s`);
  });
});
