// The codec (src/wire/): any bytes decode to a message or throw WireFormatError, and nothing else, within a
// time bound (RFC 1035 4.1.4 pointer loops are the classic hang); parseQuery never throws; a decoded message
// re-encodes to bytes that decode to the same message; random records of every type round trip exactly.
import { decodeMessage, encodeMessage, type Message } from '../../src/wire/message.js';
import { parseQuery } from '../../src/wire/query.js';
import { RRType, type MxData, type ResourceRecord, type SoaData } from '../../src/wire/types.js';
import { WireFormatError } from '../../src/wire/wire-format-error.js';
import { mutatePacket, toHex } from '../byte-mutator.js';
import { FuzzFailure, canonical, describeError, sameValue, withinBudget } from '../fuzz-failure.js';
import { packetCorpus } from '../packet-corpus.js';
import type { Prng } from '../prng.js';
import { randomMessage } from '../random-records.js';
import type { FuzzTarget } from './fuzz-target.js';

/** Per packet: decodeMessage, parseQuery and a re-encode of a few hundred bytes take microseconds. */
export const CODEC_BUDGET_MS = 50;

type CodecInput = { kind: 'packet'; packet: Uint8Array } | { kind: 'round-trip'; message: Message };

export function codecTarget(budgetMs = CODEC_BUDGET_MS): FuzzTarget<CodecInput> {
  const corpus = packetCorpus();
  return {
    name: 'codec',
    generate(rng: Prng): CodecInput {
      return rng.chance(0.2) ? { kind: 'round-trip', message: randomMessage(rng) } : { kind: 'packet', packet: mutatePacket(corpus, rng) };
    },
    check(input: CodecInput): void {
      if (input.kind === 'round-trip') roundTrip(input.message);
      else checkPacket(input.packet, budgetMs);
    },
    format(input: CodecInput): string {
      return input.kind === 'packet' ? toHex(input.packet) : JSON.stringify(canonical(input.message));
    },
  };
}

/** The properties of one packet; exported for the regression tests. */
export function checkPacket(packet: Uint8Array, budgetMs = CODEC_BUDGET_MS): void {
  const hex = toHex(packet);
  withinBudget(
    budgetMs,
    () => {
      try {
        parseQuery(packet);
      } catch (err) {
        throw new FuzzFailure('parseQuery never throws', describeError(err), hex);
      }
      let decoded: Message;
      try {
        decoded = decodeMessage(packet);
      } catch (err) {
        if (err instanceof WireFormatError) return;
        throw new FuzzFailure('decodeMessage throws only WireFormatError', describeError(err), hex);
      }
      let encoded: Buffer;
      try {
        encoded = encodeMessage(decoded);
      } catch (err) {
        // A decoded value the model cannot write back (a CAA tag outside RFC 8659's letters and digits) is typed.
        if (err instanceof WireFormatError) return;
        throw new FuzzFailure('encodeMessage of a decoded message throws only WireFormatError', describeError(err), hex);
      }
      let again: Message;
      try {
        again = decodeMessage(encoded);
      } catch (err) {
        throw new FuzzFailure('a decoded message re-encodes to bytes that decode', `${describeError(err)}\nre-encoded: ${toHex(encoded)}`, hex);
      }
      if (!sameValue(foldNameCase(decoded), foldNameCase(again))) {
        throw new FuzzFailure('a decoded message re-encodes to the same message', diff(decoded, again), hex);
      }
    },
    (ms) => {
      throw new FuzzFailure(`decoding takes at most ${budgetMs} ms`, `took ${ms.toFixed(1)} ms twice`, hex);
    },
  );
}

/** encode → decode gives back the generated message exactly; exported for the regression tests. */
export function roundTrip(message: Message): void {
  const json = JSON.stringify(canonical(message));
  let encoded: Buffer;
  try {
    encoded = encodeMessage(message);
  } catch (err) {
    throw new FuzzFailure('every generated message encodes', describeError(err), json);
  }
  let decoded: Message;
  try {
    decoded = decodeMessage(encoded);
  } catch (err) {
    throw new FuzzFailure('an encoded message decodes', `${describeError(err)}\nencoded: ${toHex(encoded)}`, json);
  }
  if (!sameValue(foldNameCase(message), foldNameCase(decoded))) throw new FuzzFailure('encode → decode round trips', `${diff(message, decoded)}\nencoded: ${toHex(encoded)}`, json);
}

/**
 * The message with the ASCII letters of its compressible names lowercased: the writer compresses against
 * earlier names case-insensitively (src/wire/writer.ts, RFC 4343 4.1), so a name may come back in the case of
 * the name it points at. SRV targets and opaque RDATA are never compressed and keep their case exactly.
 */
function foldNameCase(message: Message): Message {
  const fold = (name: string) => name.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
  const record = (r: ResourceRecord): ResourceRecord => {
    const folded = { ...r, name: fold(r.name) } as ResourceRecord;
    if (r.data instanceof Uint8Array) return folded;
    switch (r.type) {
      case RRType.NS:
      case RRType.CNAME:
      case RRType.PTR:
        return { ...folded, data: fold(r.data as string) } as ResourceRecord;
      case RRType.MX: {
        const mx = r.data as MxData;
        return { ...folded, data: { ...mx, exchange: fold(mx.exchange) } } as ResourceRecord;
      }
      case RRType.SOA: {
        const soa = r.data as SoaData;
        return { ...folded, data: { ...soa, mname: fold(soa.mname), rname: fold(soa.rname) } } as ResourceRecord;
      }
      default:
        return folded;
    }
  };
  return {
    ...message,
    questions: message.questions.map((q) => ({ ...q, name: fold(q.name) })),
    answers: message.answers.map(record),
    authorities: message.authorities.map(record),
    additionals: message.additionals.map(record),
  };
}

/** The first field that differs, as a path and two values. */
function diff(a: unknown, b: unknown, path = ''): string {
  const ca = canonical(a);
  const cb = canonical(b);
  if (JSON.stringify(ca) === JSON.stringify(cb)) return '';
  if (ca && cb && typeof ca === 'object' && typeof cb === 'object') {
    for (const key of new Set([...Object.keys(ca), ...Object.keys(cb)])) {
      const inner = diff((ca as Record<string, unknown>)[key], (cb as Record<string, unknown>)[key], `${path}.${key}`);
      if (inner) return inner;
    }
  }
  return `${path || '(root)'}: ${JSON.stringify(ca)} became ${JSON.stringify(cb)}`;
}
