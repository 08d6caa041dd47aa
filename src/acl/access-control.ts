// CoreDNS `acl` (plugin/acl): who may ask what. Rules are checked in order; in a rule whose zones hold the
// question, the first policy matching the query type and the source address decides: allow (answer it), block
// (REFUSED with the Extended DNS Error "Blocked", RFC 8914 4.16), filter (an empty NOERROR with "Filtered",
// RFC 8914 4.18) or drop (no reply). A query no policy matches is answered. It sits in front of the whole chain,
// so it applies to every query of the server: cluster names, zone files and forwarded names alike.
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import type { DnsRequest, Handler, HandlerResult } from '../pipeline/handler.js';
import type { AclCounters } from '../server/server-stats.js';
import { RCode } from '../wire/types.js';
import { IpPrefixSet, parseIpPrefix } from './ip-prefix.js';

export type AclAction = 'allow' | 'block' | 'filter' | 'drop';
export const ACL_ACTIONS: readonly AclAction[] = ['allow', 'block', 'filter', 'drop'];
/** What `--allow-from` does to the sources it does not name. */
export const ACL_DENY_ACTIONS: readonly AclAction[] = ['block', 'filter', 'drop'];

/** One line of an acl block, as plain data (it travels to multi-core workers as JSON). */
export interface AclPolicy {
  action: AclAction;
  /** Query types matched; absent: every type (`type *`). */
  types?: number[];
  /** Source prefixes (CIDR or one address) matched; absent: every source (`net *`). */
  nets?: string[];
}

export interface AclRule {
  /** Zones the rule covers, lowercase without the trailing dot; '' is the root (every name). */
  zones: string[];
  policies: AclPolicy[];
}

/** Extended DNS Error info codes (RFC 8914 4.16, 4.18) CoreDNS's acl attaches. */
const EDE_BLOCKED = 15;
const EDE_FILTERED = 17;

const BLOCKED: HandlerResult = Object.freeze({ kind: 'error', rcode: RCode.REFUSED, extendedError: EDE_BLOCKED });
const FILTERED: HandlerResult = Object.freeze({ kind: 'error', rcode: RCode.NOERROR, extendedError: EDE_FILTERED });
const DROPPED: HandlerResult = Object.freeze({ kind: 'drop' });

/** `--allow-from CIDR...`: those sources are answered, every other one gets `otherwise` (default block: REFUSED). */
export function allowFromRules(cidrs: readonly string[], otherwise: AclAction = 'block'): AclRule[] {
  const nets = cidrs.flatMap((value) => value.split(',')).map((text) => text.trim()).filter((text) => text !== '');
  for (const net of nets) {
    if (parseIpPrefix(net) === null) {
      throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, `--allow-from: "${net}" is not an IPv4 or IPv6 address or CIDR prefix (e.g. 10.0.0.0/8, fd00::/8)`);
    }
  }
  return [{ zones: [''], policies: [{ action: 'allow', nets }, { action: otherwise }] }];
}

interface CompiledPolicy {
  action: AclAction;
  types: ReadonlySet<number> | null;
  sources: IpPrefixSet | null;
}

interface CompiledRule {
  /** Zones longest first, with their `.zone` suffix and their metrics label (`example.org.`, `.`). */
  zones: Array<{ zone: string; suffix: string; label: string }>;
  policies: CompiledPolicy[];
}

/** Validates and compiles rules once; throws a ClusterDnsError naming the bad prefix. */
export function compileAclRules(rules: readonly AclRule[]): CompiledRule[] {
  return rules.map((rule) => ({
    zones: [...rule.zones]
      .sort((a, b) => b.length - a.length)
      .map((zone) => ({ zone, suffix: `.${zone}`, label: zone === '' ? '.' : `${zone}.` })),
    policies: rule.policies.map((policy) => ({
      action: policy.action,
      types: policy.types === undefined ? null : new Set(policy.types),
      sources:
        policy.nets === undefined
          ? null
          : new IpPrefixSet(
              policy.nets.map((net) => {
                const prefix = parseIpPrefix(net);
                if (prefix === null) throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, `acl: "${net}" is not an IPv4 or IPv6 CIDR prefix`);
                return prefix;
              }),
            ),
    })),
  }));
}

/** The acl in front of a handler chain; counts what it decides in `counters` (coredns_acl_*_requests_total). */
export class AclHandler implements Handler {
  readonly name = 'acl';
  private readonly rules: CompiledRule[];

  constructor(
    rules: readonly AclRule[],
    private readonly next: Handler,
    private readonly counters: AclCounters,
  ) {
    this.rules = compileAclRules(rules);
  }

  handle(request: DnsRequest): HandlerResult | Promise<HandlerResult> {
    const { qname, qtype } = request.query;
    for (const rule of this.rules) {
      const zone = matchingZone(rule, qname);
      if (zone === null) continue;
      const action = decide(rule.policies, request.remoteAddress, qtype);
      if (action === null) continue;
      switch (action) {
        case 'allow':
          return this.allow(request);
        case 'block':
          bump(this.counters.blocked, zone);
          return BLOCKED;
        case 'filter':
          bump(this.counters.filtered, zone);
          return FILTERED;
        case 'drop':
          bump(this.counters.dropped, zone);
          return DROPPED;
      }
    }
    return this.allow(request);
  }

  private allow(request: DnsRequest): HandlerResult | Promise<HandlerResult> {
    this.counters.allowed++;
    return this.next.handle(request);
  }
}

function bump(counts: Record<string, number>, zone: string): void {
  counts[zone] = (counts[zone] ?? 0) + 1;
}

/** The rule's longest zone holding `qname` (its metrics label), or null. */
function matchingZone(rule: CompiledRule, qname: string): string | null {
  for (const { zone, suffix, label } of rule.zones) {
    if (zone === '' || qname === zone || qname.endsWith(suffix)) return label;
  }
  return null;
}

/** The first policy matching the type and the source decides; null: none matched. */
function decide(policies: readonly CompiledPolicy[], source: string, qtype: number): AclAction | null {
  for (const policy of policies) {
    if (policy.types !== null && !policy.types.has(qtype)) continue;
    if (policy.sources !== null && !policy.sources.contains(source)) continue;
    return policy.action;
  }
  return null;
}
