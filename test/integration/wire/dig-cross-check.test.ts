// Real `dig` parses replies built by compileAnswer + buildReply, served from a throwaway UDP socket.
import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileAnswer, type CompiledAnswer, type Sections } from '../../../src/wire/compiled-answer.js';
import { parseQuery } from '../../../src/wire/query.js';
import { buildErrorReply, buildReply, udpLimit } from '../../../src/wire/reply.js';
import { RCode, RRClass, RRType, type ResourceRecord } from '../../../src/wire/types.js';

const run = promisify(execFile);
const DIG = '/usr/bin/dig';
const IN = RRClass.IN;
const ZONE = 'cluster.local';
const SOA: ResourceRecord = {
  name: ZONE,
  type: RRType.SOA,
  class: IN,
  ttl: 5,
  data: { mname: `ns.dns.${ZONE}`, rname: `hostmaster.${ZONE}`, serial: 1700000000, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 },
};
const record = (name: string, type: number, data: unknown): ResourceRecord => ({ name, type, class: IN, ttl: 5, data }) as ResourceRecord;
const empty = (): Sections => ({ answer: [], authority: [], additional: [] });

/** What the test server knows, by "qname|qtype" (qname lowercase). */
const ZONE_DATA = new Map<string, { sections: Sections; rcode?: number }>([
  [
    `_http._tcp.hello.default.svc.${ZONE}|${RRType.SRV}`,
    {
      sections: {
        ...empty(),
        answer: [record(`_http._tcp.hello.default.svc.${ZONE}`, RRType.SRV, { priority: 0, weight: 100, port: 80, target: `hello.default.svc.${ZONE}` })],
        additional: [record(`hello.default.svc.${ZONE}`, RRType.A, '10.96.0.20')],
      },
    },
  ],
  [
    `dns-version.${ZONE}|${RRType.TXT}`,
    { sections: { ...empty(), answer: [record(`dns-version.${ZONE}`, RRType.TXT, ['1.1.0', 'x'.repeat(300)])] } },
  ],
  [
    `dual.default.svc.${ZONE}|${RRType.AAAA}`,
    {
      sections: {
        ...empty(),
        answer: [record(`dual.default.svc.${ZONE}`, RRType.AAAA, 'FD00:10:0:0::5'), record(`dual.default.svc.${ZONE}`, RRType.AAAA, '::ffff:10.0.0.1')],
      },
    },
  ],
  [`missing.${ZONE}|${RRType.A}`, { rcode: RCode.NXDOMAIN, sections: { ...empty(), authority: [SOA] } }],
  [
    `big.${ZONE}|${RRType.A}`,
    { sections: { ...empty(), answer: Array.from({ length: 60 }, (_, i) => record(`big.${ZONE}`, RRType.A, `10.0.${i}.1`)), authority: [SOA] } },
  ],
]);

let socket: Socket;
let port = 0;

beforeAll(async () => {
  socket = createSocket('udp4');
  socket.on('message', (packet, from) => {
    const parsed = parseQuery(packet);
    if (parsed.kind === 'drop') return;
    let reply: Buffer;
    if (parsed.kind === 'error') {
      reply = buildErrorReply(packet, parsed.id, parsed.flags, parsed.questionEnd, parsed.edns, parsed.rcode);
    } else {
      const q = parsed.query;
      const known = ZONE_DATA.get(`${q.qname}|${q.qtype}`);
      const answer: CompiledAnswer = known
        ? compileAnswer(q.qname, q.qtype, q.qclass, known.sections, known.rcode ?? RCode.NOERROR, true)
        : compileAnswer(q.qname, q.qtype, q.qclass, { ...empty(), authority: [SOA] }, RCode.NOERROR, true);
      reply = buildReply(packet, q, answer, udpLimit(q));
    }
    socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  port = (socket.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => socket.close(() => resolve()));
});

async function dig(...args: string[]): Promise<string> {
  const { stdout } = await run(DIG, [`@127.0.0.1`, '-p', String(port), '+norec', '+tries=1', '+time=2', ...args], { timeout: 10_000 });
  return stdout;
}

/** The record lines of one section of dig's output, whitespace collapsed. */
function section(output: string, name: 'ANSWER' | 'AUTHORITY' | 'ADDITIONAL'): string[] {
  const match = output.match(new RegExp(`;; ${name} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`));
  return match ? match[1].split('\n').filter((line) => line && !line.startsWith(';')).map((line) => line.split(/\s+/).join(' ')) : [];
}

function flags(output: string): string[] {
  return (output.match(/;; flags: ([a-z ]*);/)?.[1] ?? '').trim().split(' ');
}

function status(output: string): string | undefined {
  return output.match(/status: ([A-Z]+)/)?.[1];
}

describe.skipIf(!existsSync(DIG))('dig reads our replies', () => {
  it('SRV in the client letter case, target uncompressed, glue in additional', async () => {
    const out = await dig('_HTTP._tcp.HeLLo.Default.svc.cluster.local', 'SRV');
    expect(status(out)).toBe('NOERROR');
    expect(flags(out)).toEqual(['qr', 'aa']);
    // The owner points at the question; the target, never compressed (RFC 2782), keeps our own spelling.
    expect(section(out, 'ANSWER')).toEqual(['_HTTP._tcp.HeLLo.Default.svc.cluster.local. 5 IN SRV 0 100 80 hello.default.svc.cluster.local.']);
    // The glue owner points at the suffix of the question, so it too has the client's spelling.
    expect(section(out, 'ADDITIONAL')).toEqual(['HeLLo.Default.svc.cluster.local. 5 IN A 10.96.0.20']);
    expect(out).toMatch(/EDNS: version: 0, flags:; udp: 1232/);
  });

  it('TXT with a string over 255 bytes split into character-strings', async () => {
    const out = await dig('dns-version.cluster.local', 'TXT');
    const x = 'x'.repeat(255);
    expect(section(out, 'ANSWER')).toEqual([`dns-version.cluster.local. 5 IN TXT "1.1.0" "${x}" "${'x'.repeat(45)}"`]);
  });

  it('AAAA in canonical form, IPv4-mapped included', async () => {
    const out = await dig('dual.default.svc.cluster.local', 'AAAA');
    expect(section(out, 'ANSWER')).toEqual([
      'dual.default.svc.cluster.local. 5 IN AAAA fd00:10::5',
      'dual.default.svc.cluster.local. 5 IN AAAA ::ffff:10.0.0.1',
    ]);
  });

  it('NXDOMAIN with the SOA in authority', async () => {
    const out = await dig('MISSING.cluster.local', 'A');
    expect(status(out)).toBe('NXDOMAIN');
    expect(flags(out)).toEqual(['qr', 'aa']);
    expect(section(out, 'AUTHORITY')).toEqual(['cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 5']);
  });

  it('TC over 512 bytes without EDNS; all 60 records with EDNS at 1232', async () => {
    const plain = await dig('+noedns', '+ignore', 'big.cluster.local', 'A');
    expect(flags(plain)).toEqual(['qr', 'aa', 'tc']);
    expect(section(plain, 'ANSWER')).toEqual([]);
    const edns = await dig('+ignore', 'big.cluster.local', 'A'); // 12 + 23 + 60 × 16 + 61 + 11 < 1232
    expect(flags(edns)).toEqual(['qr', 'aa']);
    expect(section(edns, 'ANSWER')).toHaveLength(60);
    expect(section(edns, 'AUTHORITY')).toHaveLength(1);
  });

  it('BADVERS for EDNS version 1', async () => {
    const out = await dig('+edns=1', '+noednsnegotiation', 'big.cluster.local', 'A');
    expect(status(out)).toBe('BADVERS');
    expect(out).toMatch(/EDNS: version: 0/);
  });
});
