// An upstream reply relayed as received: its rcode, AA/RA/AD bits and every section; only its OPT stays
// behind, since the client's own EDNS is answered by the reply builder (RFC 6891 7: OPT is hop-by-hop).
import { HeaderFlag } from '../wire/header.js';
import type { Message } from '../wire/message.js';
import type { ResourceRecord } from '../wire/types.js';

export interface RelayedReply {
  rcode: number;
  authoritative: boolean;
  /** Header bits besides AA to set in the reply: RA and AD as the upstream set them. */
  extraFlags: number;
  answer: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
  truncated: boolean;
}

export function relayedReply(message: Message): RelayedReply {
  return {
    rcode: message.rcode,
    authoritative: message.aa,
    extraFlags: (message.ra ? HeaderFlag.RA : 0) | (message.ad ? HeaderFlag.AD : 0),
    answer: message.answers,
    authority: message.authorities,
    additional: message.additionals,
    truncated: message.tc,
  };
}
