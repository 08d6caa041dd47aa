// IPv4 and IPv6 addresses between text and the 4/16 bytes of A and AAAA RDATA (RFC 1035 3.4.1, RFC 3596 2.2).
// IPv6 text is parsed in any RFC 4291 2.2 form (compressed, leading zeros, embedded IPv4) and formatted in
// the RFC 5952 canonical form.

/** Writes the 4 bytes of a dotted quad at `out[at]`; false when `text` is not one. */
export function parseIPv4Into(text: string, out: Uint8Array, at: number): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (code === 0x2e) {
      if (digits === 0 || part > 3) return false;
      out[at + part++] = value;
      value = 0;
      digits = 0;
    } else if (code >= 0x30 && code <= 0x39) {
      if (digits > 0 && value === 0) return false; // leading zero ("010" is octal elsewhere: refuse it)
      value = value * 10 + (code - 0x30);
      if (value > 255) return false;
      digits++;
    } else {
      return false;
    }
  }
  return part === 4;
}

export function parseIPv4(text: string): Uint8Array | null {
  const out = new Uint8Array(4);
  return parseIPv4Into(text, out, 0) ? out : null;
}

export function formatIPv4(bytes: Uint8Array, at = 0): string {
  return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
}

/** The 16 bytes of an IPv6 address, or null when `text` is not one (zone ids such as "%eth0" are refused). */
export function parseIPv6(text: string): Uint8Array | null {
  const out = new Uint8Array(16);
  const gap = text.indexOf('::');
  if (gap !== -1 && text.indexOf('::', gap + 1) !== -1) return null;
  const head = gap === -1 ? text : text.slice(0, gap);
  const tail = gap === -1 ? '' : text.slice(gap + 2);
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups: number[] = [];
  const all = gap === -1 ? headGroups : [...headGroups, ...tailGroups];
  const last = all.length - 1;
  let ipv4: Uint8Array | null = null;
  for (let i = 0; i <= last; i++) {
    const group = all[i];
    if (i === last && group.includes('.')) {
      ipv4 = parseIPv4(group); // RFC 4291 2.2 form 3: the low 32 bits as a dotted quad
      if (!ipv4 || (gap !== -1 && tailGroups.length === 0)) return null; // "1.2.3.4::" puts it before the gap
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    groups.push(parseInt(group, 16));
  }
  const total = groups.length + (ipv4 ? 2 : 0);
  if (gap === -1 ? total !== 8 : total > 7) return null;
  const leading = gap === -1 ? groups.length : headGroups.length;
  let at = 0;
  for (let i = 0; i < leading; i++, at += 2) writeGroup(out, at, groups[i]);
  at = 16 - (groups.length - leading) * 2 - (ipv4 ? 4 : 0);
  for (let i = leading; i < groups.length; i++, at += 2) writeGroup(out, at, groups[i]);
  if (ipv4) out.set(ipv4, 12);
  return out;
}

function writeGroup(out: Uint8Array, at: number, value: number): void {
  out[at] = value >> 8;
  out[at + 1] = value & 0xff;
}

/**
 * RFC 5952 4: lowercase hex, no leading zeros, the longest run (first on a tie) of two or more zero groups
 * as "::"; RFC 5952 5: IPv4-mapped addresses (::ffff:0:0/96) end in a dotted quad.
 */
export function formatIPv6(bytes: Uint8Array, at = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((bytes[at + 2 * i] << 8) | bytes[at + 2 * i + 1]);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${formatIPv4(bytes, at + 12)}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (bestStart === -1) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}
