// Seeds for the packet mutator: real queries and replies, built with our encoder (which compresses names) and
// with dns-packet (which does not, and knows types we carry as opaque bytes: DNSKEY, RRSIG, NSEC, DS, NAPTR...).
import dnsPacket from 'dns-packet';
import { createMessage, encodeMessage } from '../src/wire/message.js';
import { RRClass, RRType } from '../src/wire/types.js';
import { Prng } from './prng.js';
import { MODELLED_TYPES, randomMessage, randomRecord } from './random-records.js';

const COOKIE = { code: 10, data: Buffer.from('0123456789abcdef', 'hex') };
const PADDING = { code: 12, data: new Uint8Array(40) };
const UNKNOWN_OPTION = { code: 65001, data: Uint8Array.of(1, 2, 3) };

/** Queries a stub resolver sends: every type, with and without EDNS, cookies, padding, an unknown option. */
function ourQueries(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const names = ['web.default.svc.cluster.local', 'kubernetes.default.svc', '10.0.96.10.in-addr.arpa', 'example.com', '', '_http._tcp.web.default.svc.cluster.local'];
  for (const [i, type] of [...MODELLED_TYPES, RRType.ANY, RRType.AXFR, 64, 65].entries()) {
    const name = names[i % names.length];
    out.push(encodeMessage(createMessage({ id: i, rd: true, questions: [{ name, type, class: RRClass.IN }] })));
    out.push(
      encodeMessage(
        createMessage({
          id: i,
          rd: true,
          ad: true,
          questions: [{ name, type, class: RRClass.IN }],
          edns: { udpSize: 1232, version: 0, dnssecOk: i % 2 === 0, options: i % 3 === 0 ? [COOKIE] : i % 3 === 1 ? [PADDING, COOKIE] : [UNKNOWN_OPTION] },
        }),
      ),
    );
  }
  out.push(encodeMessage(createMessage({ id: 7, opcode: 4, questions: [{ name: 'cluster.local', type: RRType.SOA, class: RRClass.IN }] })));
  out.push(encodeMessage(createMessage({ id: 8, questions: [{ name: 'a.b', type: 1, class: RRClass.CH }], edns: { udpSize: 4096, version: 1, dnssecOk: false, options: [] } })));
  return out;
}

/** Replies with records of every type in every section, names compressed; some with TC set (RFC 2181 9). */
function ourReplies(): Uint8Array[] {
  const rng = new Prng(0x5eed);
  const out: Uint8Array[] = [];
  for (let i = 0; i < 40; i++) {
    const message = randomMessage(rng);
    message.qr = true;
    if (i % 5 === 0) {
      message.tc = true;
      message.answers = [];
    }
    out.push(encodeMessage(message));
  }
  for (const type of MODELLED_TYPES) {
    const record = randomRecord(rng, type);
    out.push(encodeMessage(createMessage({ id: type, qr: true, aa: true, questions: [{ name: record.name, type, class: RRClass.IN }], answers: [record, { ...record }] })));
  }
  return out;
}

/** The same kinds of messages as another implementation writes them. */
function dnsPacketMessages(): Uint8Array[] {
  const name = 'web.default.svc.cluster.local';
  const answers: dnsPacket.Answer[] = [
    { type: 'A', name, ttl: 5, data: '10.96.0.10' },
    { type: 'AAAA', name, ttl: 5, data: 'fd00::a' },
    { type: 'CNAME', name: 'alias.example.com', ttl: 60, data: name },
    { type: 'NS', name: 'cluster.local', ttl: 60, data: 'ns.dns.cluster.local' },
    { type: 'PTR', name: '10.0.96.10.in-addr.arpa', ttl: 5, data: name },
    { type: 'MX', name: 'example.com', ttl: 60, data: { preference: 10, exchange: 'mail.example.com' } },
    { type: 'TXT', name: 'example.com', ttl: 60, data: ['v=spf1 -all', Buffer.from([0xff, 0xfe, 0x00])] },
    { type: 'SRV', name: '_http._tcp.' + name, ttl: 5, data: { priority: 0, weight: 100, port: 80, target: name } },
    { type: 'CAA', name: 'example.com', ttl: 60, data: { flags: 128, tag: 'issue', value: 'letsencrypt.org' } },
    { type: 'SOA', name: 'cluster.local', ttl: 5, data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 } },
    { type: 'NAPTR', name: 'example.com', ttl: 60, data: { order: 100, preference: 10, flags: 'S', services: 'SIP+D2U', regexp: '', replacement: '_sip._udp.example.com' } },
    { type: 'DS', name: 'example.com', ttl: 60, data: { keyTag: 12345, algorithm: 8, digestType: 2, digest: Buffer.alloc(32, 7) } },
    { type: 'DNSKEY', name: 'example.com', ttl: 60, data: { flags: 257, algorithm: 8, key: Buffer.alloc(64, 3) } },
    { type: 'RRSIG', name: 'example.com', ttl: 60, data: { typeCovered: 'A', algorithm: 8, labels: 2, originalTTL: 60, expiration: 2000000000, inception: 1000000000, keyTag: 1, signersName: 'example.com', signature: Buffer.alloc(64, 9) } },
    { type: 'NSEC', name: 'example.com', ttl: 60, data: { nextDomain: 'a.example.com', rrtypes: ['A', 'MX', 'RRSIG', 'NSEC'] } },
    { type: 'HINFO', name: 'example.com', ttl: 60, data: { cpu: 'x86', os: 'linux' } },
    { type: 'RP', name: 'example.com', ttl: 60, data: { mbox: 'admin.example.com', txt: 'txt.example.com' } },
  ];
  const out: Uint8Array[] = [];
  for (const answer of answers) {
    out.push(dnsPacket.encode({ type: 'response', id: 1, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [{ type: answer.type, name: answer.name }], answers: [answer] }));
  }
  out.push(dnsPacket.encode({ type: 'response', id: 2, flags: dnsPacket.TRUNCATED_RESPONSE, questions: [{ type: 'A', name }], answers: [] }));
  out.push(
    dnsPacket.encode({
      type: 'query',
      id: 3,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type: 'A', name }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, flags: dnsPacket.DNSSEC_OK, options: [{ code: 10, data: Buffer.alloc(8, 1) }, { code: 12, data: Buffer.alloc(20) }, { code: 8, data: Buffer.from([0, 1, 24, 0, 10, 1, 2]) }] }],
    } as dnsPacket.Packet),
  );
  out.push(dnsPacket.encode({ type: 'response', id: 4, questions: [{ type: 'A', name }], answers, authorities: answers.slice(0, 3), additionals: answers.slice(3, 6) }));
  return out;
}

let cached: Uint8Array[] | null = null;

export function packetCorpus(): Uint8Array[] {
  cached ??= [...ourQueries(), ...ourReplies(), ...dnsPacketMessages()];
  return cached;
}

/** Only the queries, for the server target (replies are dropped unparsed, QR=1). */
export function queryCorpus(): Uint8Array[] {
  return ourQueries().concat(dnsPacketMessages().filter((packet) => (packet[2] & 0x80) === 0));
}
