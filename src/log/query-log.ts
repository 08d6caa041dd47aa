// CoreDNS `log` (`--log-queries`): one line per answered query in CoreDNS's common log format
// (plugin/log: `{remote}:{port} - {>id} "{type} {class} {name} {proto} {size} {>do} {>bufsize}" {rcode}
// {>rflags} {rsize} {duration}`), as the message of a pino record. Off by default: the query path then only
// tests a null.
import type { Logger } from 'pino';
import { HeaderFlag, readU16 } from '../wire/header.js';
import { absolute, className, typeName } from '../wire/presentation.js';
import type { ParsedQuery } from '../wire/query.js';
import { PLAIN_UDP_LIMIT } from '../wire/types.js';

const RCODE_NAMES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 16: 'BADVERS' };
const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [HeaderFlag.QR, 'qr'],
  [HeaderFlag.AA, 'aa'],
  [HeaderFlag.TC, 'tc'],
  [HeaderFlag.RD, 'rd'],
  [HeaderFlag.RA, 'ra'],
  [HeaderFlag.AD, 'ad'],
  [HeaderFlag.CD, 'cd'],
];

export interface LoggedQuery {
  remoteAddress: string;
  remotePort: number;
  transport: 'udp' | 'tcp';
  query: ParsedQuery;
  /** Bytes of the query. */
  size: number;
  reply: Uint8Array;
  rcode: number;
  seconds: number;
}

/** The common log format line of one query (without CoreDNS's `[INFO]` prefix: pino carries the level). */
export function formatQueryLine(entry: LoggedQuery): string {
  const { query, reply } = entry;
  const remote = entry.remoteAddress.includes(':') ? `[${entry.remoteAddress}]` : entry.remoteAddress;
  const flags = reply.length >= 4 ? readU16(reply, 2) : 0;
  const rflags = FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name).join(',');
  const dnssecOk = query.edns?.dnssecOk ?? false;
  const bufsize = query.edns?.udpSize ?? PLAIN_UDP_LIMIT;
  const rcode = RCODE_NAMES[entry.rcode] ?? String(entry.rcode);
  return (
    `${remote}:${entry.remotePort} - ${query.id} "${typeName(query.qtype)} ${className(query.qclass)} ${absolute(query.qname)} ` +
    `${entry.transport} ${entry.size} ${dnssecOk} ${bufsize}" ${rcode} ${rflags || '-'} ${reply.length} ${entry.seconds.toFixed(9)}s`
  );
}

export class QueryLog {
  constructor(private readonly logger: Logger) {}

  write(entry: LoggedQuery): void {
    this.logger.info({ plugin: 'log' }, formatQueryLine(entry));
  }
}

/**
 * The query log of a server logging through `logger`: its lines are asked for explicitly, so they are written
 * whatever the process's level (a multi-core worker logs only warnings and errors of its own).
 */
export function queryLogFor(logger: Logger): QueryLog {
  const child = logger.child({ component: 'log' });
  child.level = 'info';
  return new QueryLog(child);
}
