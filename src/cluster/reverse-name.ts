// The IP a reverse name stands for (RFC 1035 §3.5 in-addr.arpa, RFC 3596 §2.5 ip6.arpa), the inverse of
// records/ip-names.ts ipToReverseName; null for a name that is not a whole address.
import { canonicalIp } from './trim.js';

export function reverseNameToIp(name: string): string | null {
  const lower = name.toLowerCase();
  if (lower.endsWith('.in-addr.arpa')) {
    const octets = lower.slice(0, -'.in-addr.arpa'.length).split('.');
    return octets.length === 4 ? canonicalIp(octets.reverse().join('.')) : null;
  }
  if (lower.endsWith('.ip6.arpa')) {
    const nibbles = lower.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return null;
    const hex = nibbles.reverse().join('');
    return canonicalIp(hex.match(/.{4}/g)!.join(':'));
  }
  return null;
}
