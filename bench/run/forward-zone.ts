// The names clusterdns-cache forwards: a zone outside the cluster domain (fwd.bench.) that the upstream
// (Knot) serves, one A record per name, and a dnsperf file asking those names uniformly (seeded). After one
// pass through the file every name is in clusterdns's cache, so the measured queries are cache hits.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ForwardZoneFiles, Question } from './types.js';

export const FORWARD_ORIGIN = 'fwd.bench';
/** Longer than any cache cap, so the cache's own limit (CoreDNS cache: 30 s by default) decides. */
export const FORWARD_TTL = 3600;

/** Deterministic, spread over 10.128.0.0/9. */
export const forwardAddress = (i: number): string => `10.${128 + ((i >> 16) & 127)}.${(i >> 8) & 255}.${i & 255}`;
export const forwardName = (i: number, origin = FORWARD_ORIGIN): string => `h${i}.${origin}`;

/** RFC 1035 master file: SOA, NS with glue, and `count` A records h0..h<count-1>. */
export function forwardZoneText(count: number, origin = FORWARD_ORIGIN, ttl = FORWARD_TTL): string {
  const lines = [
    `$ORIGIN ${origin}.`,
    `$TTL ${ttl}`,
    `@ IN SOA ns.${origin}. hostmaster.${origin}. 1 3600 600 86400 60`,
    '@ IN NS ns',
    'ns IN A 127.0.0.1',
  ];
  for (let i = 0; i < count; i++) lines.push(`h${i} IN A ${forwardAddress(i)}`);
  return `${lines.join('\n')}\n`;
}

/** `count` dnsperf lines "h<i>.<origin> A", i uniform over the names (a small LCG, seeded). */
export function forwardQueryLines(names: number, count: number, seed = 13, origin = FORWARD_ORIGIN): string[] {
  let state = seed >>> 0;
  const lines: string[] = [];
  for (let k = 0; k < count; k++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    lines.push(`${forwardName((state >>> 8) % names, origin)} A`);
  }
  return lines;
}

/** The cross-check questions: a name with an address, one that does not exist, and a type it lacks. */
export function forwardChecks(origin = FORWARD_ORIGIN): Question[] {
  return [
    [forwardName(0, origin), 'A'],
    [`nothere.${origin}`, 'A'],
    [forwardName(1, origin), 'AAAA'],
  ];
}

export function writeForwardZone(dir: string, names: number, queries: number): ForwardZoneFiles {
  const zoneFile = join(dir, 'forward.zone');
  const queriesFile = join(dir, 'queries-forward.txt');
  writeFileSync(zoneFile, forwardZoneText(names));
  writeFileSync(queriesFile, `${forwardQueryLines(names, queries).join('\n')}\n`);
  return { origin: FORWARD_ORIGIN, zoneFile, queriesFile, names, checkName: forwardName(0), checkIp: forwardAddress(0), checks: forwardChecks() };
}
