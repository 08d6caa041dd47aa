// The name forms Kubernetes DNS derives from IP addresses: reverse names for PTR (RFC 1035 3.5, RFC 3596 2.5)
// and the dashed labels of pod and endpoint records (spec 1.1.0 §2.4.1, §2.5: "a-b-c-d", IPv6 ':' → '-').
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../wire/ip-address.js';

/**
 * The PTR owner name of an address: `10.96.0.10` → `10.0.96.10.in-addr.arpa`; IPv6 → its 32 nibbles, lowest
 * first, under `ip6.arpa` (RFC 3596 2.5). Throws on a non-IP.
 */
export function ipToReverseName(ip: string): string {
  const v4 = parseIPv4(ip);
  if (v4) return `${v4[3]}.${v4[2]}.${v4[1]}.${v4[0]}.in-addr.arpa`;
  const v6 = parseIPv6(ip);
  if (!v6) throw new Error(`not an IP address: ${ip}`);
  const nibbles: string[] = [];
  for (let i = 15; i >= 0; i--) {
    nibbles.push((v6[i] & 0x0f).toString(16), (v6[i] >> 4).toString(16));
  }
  return `${nibbles.join('.')}.ip6.arpa`;
}

/**
 * `10.244.1.10` → `10-244-1-10`; `fd00:10::5` → `fd00-10--5` (RFC 5952 form first). Throws on a non-IP.
 * An IPv4-mapped IPv6 address is written all in hex (`::ffff:10.0.0.1` → `--ffff-a00-1`): its RFC 5952
 * dotted tail would put dots, and so extra labels, into the name, and parseDashedIp reads the hex form back.
 */
export function dashedIp(ip: string): string {
  const v4 = parseIPv4(ip);
  if (v4) return formatIPv4(v4).replaceAll('.', '-');
  const v6 = parseIPv6(ip);
  if (!v6) throw new Error(`not an IP address: ${ip}`);
  const text = formatIPv6(v6);
  if (text.includes('.')) {
    const hex = (at: number) => ((v6[at] << 8) | v6[at + 1]).toString(16);
    return `--ffff-${hex(12)}-${hex(14)}`; // formatIPv6 uses the dotted form only for ::ffff:0:0/96
  }
  return text.replaceAll(':', '-');
}

/**
 * The inverse of dashedIp, in canonical text form (`10-244-1-10` → `10.244.1.10`, `fd00-10--5` → `fd00:10::5`);
 * null when the label is no IP. Any spelling that names the address is accepted (`fd00-0010-0-0-0-0-0-5`),
 * as CoreDNS accepts whatever net.ParseIP does; a label with dots is never one.
 */
export function parseDashedIp(label: string): string | null {
  if (label.includes('.')) return null;
  const v4 = parseIPv4(label.replaceAll('-', '.'));
  if (v4) return formatIPv4(v4);
  const v6 = parseIPv6(label.replaceAll('-', ':'));
  return v6 ? formatIPv6(v6) : null;
}
