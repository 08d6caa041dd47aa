// The Corefile's `acl [ZONES...] { ACTION [type QTYPE...] [net SOURCE...] }` (CoreDNS plugin/acl/setup.go) →
// one AclRule. ACTION is allow, block, filter or drop; `type *` and `net *` (or leaving either out) match all;
// a SOURCE is a CIDR prefix or one address. Anything else is an error naming file and line.
import { ACL_ACTIONS, type AclAction, type AclPolicy, type AclRule } from '../acl/access-control.js';
import { parseIpPrefix } from '../acl/ip-prefix.js';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import { MONITORED_TYPES } from '../server/server-stats.js';
import { normalizeName } from '../wire/name.js';
import { RRType } from '../wire/types.js';
import type { CorefileDirective } from './corefile-parser.js';

/** Query type names an acl may match: the codec's and the ones CoreDNS's metrics name; TYPEnnn for any (RFC 3597 5). */
const TYPE_NUMBERS = new Map<string, number>([...Object.entries(RRType), ...MONITORED_TYPES]);

/** `blockZones`: the server block's zones, used when the directive names none ('' is the root). */
export function aclRule(d: CorefileDirective, blockZones: readonly string[]): AclRule {
  const zones = d.args.length > 0 ? d.args.map((zone) => normalizeName(zone)) : [...blockZones];
  if (d.block === null || d.block.length === 0) fail(d, 'expected a { ... } block of allow, block, filter or drop lines');
  return { zones, policies: d.block.map((line) => policy(line)) };
}

function policy(line: CorefileDirective): AclPolicy {
  const action = line.name.toLowerCase() as AclAction;
  if (!ACL_ACTIONS.includes(action)) fail(line, `unexpected token "${line.name}"; expect 'allow', 'block', 'filter' or 'drop'`);
  if (line.block !== null) fail(line, 'takes no { ... } block');
  const result: AclPolicy = { action };
  let types: number[] | null | undefined;
  let nets: string[] | null | undefined;
  const tokens = line.args;
  for (let i = 0; i < tokens.length; ) {
    const section = tokens[i].toLowerCase();
    if (section !== 'type' && section !== 'net') fail(line, `unexpected token "${tokens[i]}"; expect 'type' or 'net'`);
    let end = i + 1;
    while (end < tokens.length && !['type', 'net'].includes(tokens[end].toLowerCase())) end++;
    const values = tokens.slice(i + 1, end);
    if (values.length === 0) fail(line, `no token given in the "${section}" section`);
    if (section === 'type') {
      types = values.includes('*') ? null : [...(types ?? []), ...values.map((value) => qtype(line, value))];
    } else {
      nets = values.includes('*') ? null : [...(nets ?? []), ...values.map((value) => source(line, value))];
    }
    i = end;
  }
  if (types) result.types = types;
  if (nets) result.nets = nets;
  return result;
}

function qtype(line: CorefileDirective, text: string): number {
  const upper = text.toUpperCase();
  const known = TYPE_NUMBERS.get(upper);
  if (known !== undefined) return known;
  const generic = /^TYPE(\d{1,5})$/.exec(upper);
  if (generic && Number(generic[1]) <= 65535) return Number(generic[1]);
  fail(line, `unexpected token "${text}"; expect a query type such as A, AAAA, MX or TYPE65`);
}

function source(line: CorefileDirective, text: string): string {
  if (parseIpPrefix(text) === null) fail(line, `illegal CIDR notation "${text}"`);
  return text;
}

function fail(d: CorefileDirective, message: string): never {
  const directive = d.name === 'acl' ? 'acl' : `acl ${d.name}`;
  throw new ClusterDnsError(ErrorCodes.COREFILE_DIRECTIVE, `directive ${directive}: ${message}`, { location: { file: d.file, line: d.line } });
}
