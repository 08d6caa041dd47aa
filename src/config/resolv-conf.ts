// The search list and name servers of a resolv.conf file (resolv.conf(5)): CoreDNS's `autopath` reads the
// search line either as the fixed search path of `autopath FILE`, or, with `autopath @kubernetes`, as the host
// domains appended after a pod's own three (plugin/kubernetes/autopath.go appends the search line of the
// server's /etc/resolv.conf); `forward . /etc/resolv.conf` takes its `nameserver` lines as upstreams.
import { readFileSync } from 'node:fs';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import { parseUpstreamAddress, type UpstreamAddress } from '../forward/upstream-address.js';
import { normalizeName } from '../wire/name.js';

/**
 * The domains of the last `search` or `domain` line (the one that takes effect, as in glibc), lowercase and
 * without trailing dots. Comments start with `#` or `;`.
 */
export function parseResolvConfSearch(text: string): string[] {
  let search: string[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/[#;].*$/, '').trim();
    const [keyword, ...values] = line.split(/\s+/);
    if (keyword === 'search' || keyword === 'domain') {
      search = values.map(normalizeName).filter((domain) => domain !== '');
    }
  }
  return search;
}

/** The search list of `path`; a file that cannot be read is a configuration error naming it. */
export function readResolvConfSearch(path: string, flag = 'autopath'): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, `${flag}: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseResolvConfSearch(text);
}

/** The host's own search domains (/etc/resolv.conf), or none when there is no such file. */
export function hostSearchDomains(path = '/etc/resolv.conf'): string[] {
  try {
    return parseResolvConfSearch(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
}

/**
 * The `nameserver` lines in order (port 53; an IPv6 address may carry a `%zone`, which is dropped). A line
 * whose address does not parse is a configuration error naming the file and line.
 */
export function parseResolvConfNameservers(text: string, file = 'resolv.conf'): UpstreamAddress[] {
  const servers: UpstreamAddress[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/[#;].*$/, '').trim();
    const [keyword, value] = line.split(/\s+/);
    if (keyword !== 'nameserver' || value === undefined) continue;
    try {
      servers.push(parseUpstreamAddress(value.replace(/%.*$/, ''), 'nameserver'));
    } catch (err) {
      throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, (err as Error).message, { location: { file, line: i + 1 }, cause: err });
    }
  }
  return servers;
}

/** The name servers of `path`; a file that cannot be read is a configuration error naming it. */
export function readResolvConfNameservers(path: string, flag = '--resolv-conf'): UpstreamAddress[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, `${flag}: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseResolvConfNameservers(text, path);
}
