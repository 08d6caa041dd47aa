// TTLs and SOA intervals in zone files: seconds, or BIND's unit form ("1h30m", "2w"), at most 2^31 - 1
// (RFC 2181 8: a TTL with the top bit set is treated as zero, so such values are refused instead).
import type { Token } from './lexer.js';
import { ZoneFileError } from './zone-file-error.js';

export const MAX_TTL = 0x7fffffff;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** The seconds a TTL word stands for, or null when the word is no TTL (so it may be a class or a type). */
export function ttlValue(text: string): number | null {
  if (/^[0-9]+$/.test(text)) return Number(text);
  if (!/^([0-9]+[smhdwSMHDW])+$/.test(text)) return null;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9]+)([smhdwSMHDW])/g)) total += Number(amount) * UNIT_SECONDS[unit.toLowerCase()];
  return total;
}

export function parseTtl(token: Token): number {
  const value = token.quoted ? null : ttlValue(token.text);
  if (value === null) throw new ZoneFileError(`"${token.text}" is not a TTL (seconds, or units such as 1h30m)`, token.line, token.column);
  if (value > MAX_TTL) throw new ZoneFileError(`TTL ${token.text} is over 2147483647 seconds (RFC 2181 8)`, token.line, token.column);
  return value;
}
