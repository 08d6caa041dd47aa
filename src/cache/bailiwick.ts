// What of a forwarded reply may be cached for its question (RFC 2181 5.4.1, RFC 5452 6): records owned by the
// question's name or names below it, the chain of CNAME targets that starts at the question, and the SOA of
// the zone the last name sits in (for negative answers, RFC 2308 3). Anything else (an upstream's NS records
// for a parent zone, glue, records about unrelated names) could poison other questions and is dropped.
import { RRType, type ResourceRecord } from '../wire/types.js';

export interface CacheableSections {
  answer: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
}

/** RRSIG (RFC 4034 3): the signature over the zone's SOA travels with it. */
const RRSIG_TYPE = 46;

/** At most this many CNAME hops are followed (a loop cannot make the walk endless). */
const MAX_CHAIN = 16;

/** `name` equals `ancestor` or lies below it; both lowercase, no trailing dot. */
export function isAtOrBelow(name: string, ancestor: string): boolean {
  if (ancestor === '' || name === ancestor) return true;
  return name.length > ancestor.length && name.endsWith(ancestor) && name.charCodeAt(name.length - ancestor.length - 1) === 46;
}

/** The names the question's CNAME chain passes through, the question first (all lowercase). */
export function cnameChain(question: string, answer: readonly ResourceRecord[]): string[] {
  const chain = [question];
  let current = question;
  for (let hop = 0; hop < MAX_CHAIN; hop++) {
    const cname = answer.find((record) => record.type === RRType.CNAME && record.name.toLowerCase() === current);
    if (!cname) break;
    current = (cname.data as string).toLowerCase();
    if (chain.includes(current)) break;
    chain.push(current);
  }
  return chain;
}

/** The sections with every record outside the question's bailiwick removed. */
export function withinBailiwick(question: string, sections: CacheableSections): CacheableSections {
  const chain = cnameChain(question, sections.answer);
  const owned = (record: ResourceRecord) => {
    const owner = record.name.toLowerCase();
    return isAtOrBelow(owner, question) || chain.includes(owner);
  };
  const last = chain[chain.length - 1];
  // The zone's SOA sits at an ancestor of (or at) the last name of the chain or of the question.
  const zoneSoaOwners = new Set<string>();
  for (const record of sections.authority) {
    const owner = record.name.toLowerCase();
    if (record.type === RRType.SOA && (isAtOrBelow(last, owner) || isAtOrBelow(question, owner))) zoneSoaOwners.add(owner);
  }
  const authority = sections.authority.filter((record) => {
    if (owned(record)) return true;
    const owner = record.name.toLowerCase();
    return zoneSoaOwners.has(owner) && (record.type === RRType.SOA || record.type === RRSIG_TYPE);
  });
  return { answer: sections.answer.filter(owned), authority, additional: sections.additional.filter(owned) };
}
