// The search list of a resolv.conf file (resolv.conf(5)): CoreDNS's `autopath` reads one either as the fixed
// search path of `autopath FILE`, or, with `autopath @kubernetes`, as the host domains appended after a pod's
// own three (plugin/kubernetes/autopath.go appends the search line of the server's /etc/resolv.conf).
import { readFileSync } from 'node:fs';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
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
