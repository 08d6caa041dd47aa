import { describe, expect, it } from 'vitest';
import {
  CompactRdata,
  CompactSrv,
  compactRecord,
  expandRecord,
  intToIpv4,
  ipv4ToInt,
  sameStored,
  storedKey,
  ttlOf,
  typeOf,
} from '../../../src/records/stored-record.js';
import { RRClass, RRType, type ResourceRecord } from '../../../src/wire/types.js';
import { rr, srv } from './helpers.js';

const TTL = 5;
const NAME = 'x.ns.svc.cluster.local';

describe('stored records', () => {
  it('round-trips every address bit pattern an int32 can hold, the high bit included', () => {
    for (const ip of ['0.0.0.0', '10.96.0.10', '127.255.255.255', '128.0.0.0', '192.168.1.254', '255.255.255.255']) {
      const n = ipv4ToInt(ip);
      expect(n).not.toBeNull();
      expect(Number.isInteger(n) && n! >= -(2 ** 31) && n! < 2 ** 31).toBe(true);
      expect(intToIpv4(n!)).toBe(ip);
    }
  });

  it('refuses address text that would not come back the same (leading zeros, wrong shape)', () => {
    for (const text of ['010.0.0.1', '10.0.0', '10.0.0.256', '10.0.0.1.', ' 10.0.0.1', 'fd00::1', '']) expect(ipv4ToInt(text)).toBeNull();
  });

  it('stores A as a number, PTR as its target string and SRV as a tuple, and expands each back to the same record', () => {
    const a = rr(NAME, RRType.A, '10.0.0.1', TTL);
    const ptr = rr('1.0.0.10.in-addr.arpa', RRType.PTR, NAME, TTL);
    const srvRecord = rr(NAME, RRType.SRV, srv(65535, NAME, 0, 65535), TTL);
    expect(typeof compactRecord(a, TTL)).toBe('number');
    expect(compactRecord(ptr, TTL)).toBe(NAME);
    expect(compactRecord(srvRecord, TTL)).toBeInstanceOf(CompactSrv);
    for (const record of [a, ptr, srvRecord]) {
      const stored = compactRecord(record, TTL);
      expect(typeOf(stored)).toBe(record.type);
      expect(ttlOf(stored, TTL)).toBe(TTL);
      expect(expandRecord(record.name, stored, TTL)).toEqual(record);
    }
  });

  it('keeps other types as (type, RDATA) and records with another TTL or class whole', () => {
    const aaaa = rr(NAME, RRType.AAAA, 'fd00::1', TTL);
    const srvWithPriority = rr(NAME, RRType.SRV, srv(80, NAME, 10, 5), TTL);
    const txt = rr(NAME, RRType.TXT, ['1.1.0'], 28800);
    const chaos = { ...rr(NAME, RRType.A, '10.0.0.1', TTL), class: RRClass.CH } as ResourceRecord;
    expect(compactRecord(aaaa, TTL)).toBeInstanceOf(CompactRdata);
    expect(compactRecord(srvWithPriority, TTL)).toBeInstanceOf(CompactRdata);
    expect(compactRecord(txt, TTL)).toBe(txt);
    expect(expandRecord(NAME, txt, TTL)).toEqual(txt);
    expect(expandRecord(NAME, txt, TTL)).not.toBe(txt); // a caller changing its TTL must not change the index
    expect(compactRecord(chaos, TTL)).toBe(chaos);
    expect(ttlOf(compactRecord(txt, TTL), TTL)).toBe(28800);
    for (const record of [aaaa, srvWithPriority]) expect(expandRecord(NAME, compactRecord(record, TTL), TTL)).toEqual(record);
  });

  it('treats a whole record with another TTL as the same RR as its compact form, with the same key', () => {
    const compact = compactRecord(rr(NAME, RRType.A, '10.0.0.1', TTL), TTL);
    const whole = compactRecord(rr(NAME, RRType.A, '10.0.0.1', 30), TTL);
    const ptrCompact = compactRecord(rr(NAME, RRType.PTR, 'a.cluster.local', TTL), TTL);
    const ptrWhole = compactRecord(rr(NAME, RRType.PTR, 'a.cluster.local', 30), TTL);
    expect(sameStored(compact, whole)).toBe(true);
    expect(storedKey(compact)).toBe(storedKey(whole));
    expect(sameStored(ptrCompact, ptrWhole)).toBe(true);
    expect(storedKey(ptrCompact)).toBe(storedKey(ptrWhole));
    const srvCompact = compactRecord(rr(NAME, RRType.SRV, srv(80, NAME, 0, 7), TTL), TTL);
    const srvWhole = compactRecord(rr(NAME, RRType.SRV, srv(80, NAME, 0, 7), 30), TTL);
    expect(sameStored(srvCompact, srvWhole)).toBe(true);
    expect(storedKey(srvCompact)).toBe(storedKey(srvWhole));
  });

  it('tells apart records that differ in type or RDATA only', () => {
    const srvA = compactRecord(rr(NAME, RRType.SRV, srv(80, NAME), TTL), TTL);
    const srvB = compactRecord(rr(NAME, RRType.SRV, srv(81, NAME), TTL), TTL);
    const ptr = compactRecord(rr(NAME, RRType.PTR, NAME, TTL), TTL);
    const cname = compactRecord(rr(NAME, RRType.CNAME, NAME, TTL), TTL);
    expect(sameStored(srvA, srvB)).toBe(false);
    expect(sameStored(ptr, cname)).toBe(false);
    expect(storedKey(ptr)).not.toBe(storedKey(cname));
    expect(sameStored(srvA, compactRecord(rr(NAME, RRType.SRV, srv(80, NAME), TTL), TTL))).toBe(true);
  });
});
