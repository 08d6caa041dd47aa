// Upstream addresses as operators write them: `ADDR[:PORT]` with IPv4 or a bracketed IPv6 (`[v6]:port`),
// port 53 when omitted (CoreDNS `forward . 10.0.0.10:53`), and kube-dns stub domains `DOMAIN=ADDR[,ADDR...]`
// (CoreDNS `forward DOMAIN ADDR...`).
import { normalizeName } from '../wire/name.js';
import { isIPv4, isIPv6 } from 'node:net';
import { ClusterDnsError, ErrorCodes } from '../errors.js';

export const DNS_PORT = 53;

export interface UpstreamAddress {
  host: string;
  port: number;
  family: 4 | 6;
}

export interface StubDomain {
  /** Lowercase, absolute, no trailing dot; "" is the root. */
  domain: string;
  upstreams: UpstreamAddress[];
}

/** `host:port`, with brackets for IPv6: the `to` label of CoreDNS's forward metrics. */
export function formatUpstream(address: UpstreamAddress): string {
  return address.family === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** Parses `ADDR[:PORT]`; `what` names the flag or file in the error (`--upstream`, `/etc/resolv.conf`). */
export function parseUpstreamAddress(text: string, what = 'upstream'): UpstreamAddress {
  const trimmed = text.trim().replace(/^dns:\/\//, ''); // CoreDNS accepts dns:// in front
  let host: string;
  let portText: string | undefined;
  if (trimmed.startsWith('[')) {
    const close = trimmed.indexOf(']');
    if (close < 0) throw invalid(what, text, 'an unclosed [');
    host = trimmed.slice(1, close);
    const rest = trimmed.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) throw invalid(what, text, 'expected :PORT after ]');
      portText = rest.slice(1);
    }
    if (!isIPv6(host)) throw invalid(what, text, `${host} is not an IPv6 address`);
  } else if (isIPv6(trimmed)) {
    host = trimmed; // a bare IPv6 address: no port possible without brackets
  } else {
    const colon = trimmed.lastIndexOf(':');
    host = colon < 0 ? trimmed : trimmed.slice(0, colon);
    portText = colon < 0 ? undefined : trimmed.slice(colon + 1);
    if (!isIPv4(host)) throw invalid(what, text, `${host === '' ? 'an empty address' : host} is not an IPv4 or [IPv6] address`);
  }
  let port = DNS_PORT;
  if (portText !== undefined) {
    if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      throw invalid(what, text, `port ${portText === '' ? '(empty)' : portText} is not 1..65535`);
    }
    port = Number(portText);
  }
  return { host: host.toLowerCase(), port, family: isIPv6(host) ? 6 : 4 };
}

/** Parses `DOMAIN=ADDR[:PORT][,ADDR[:PORT]...]` (kube-dns stubDomains; `.` or `` for the root). */
export function parseStubDomain(text: string, what = '--stub-domain'): StubDomain {
  const equals = text.indexOf('=');
  if (equals < 0) throw invalid(what, text, 'expected DOMAIN=ADDR[:PORT][,ADDR...]');
  const domain = normalizeDomain(text.slice(0, equals));
  if (domain === null) throw invalid(what, text, `"${text.slice(0, equals)}" is not a domain name`);
  const addresses = text
    .slice(equals + 1)
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (addresses.length === 0) throw invalid(what, text, 'no upstream address after =');
  return { domain, upstreams: addresses.map((address) => parseUpstreamAddress(address, what)) };
}

/** Lowercase, no trailing dot; null when the text has empty labels or characters a hostname cannot hold. */
function normalizeDomain(text: string): string | null {
  const domain = normalizeName(text.trim());
  if (domain === '') return '';
  const labels = domain.split('.');
  if (labels.some((label) => label === '' || label.length > 63 || !/^[a-z0-9_*-]+$/.test(label))) return null;
  return domain;
}

function invalid(what: string, text: string, why: string): ClusterDnsError {
  return new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, `${what}: "${text}": ${why}`);
}
