// The index's public contract: pure data, no I/O. See docs/architecture.md "Layers".
import type { ResourceRecord } from '../wire/types.js';

/**
 * Outcome of looking a name up in the authoritative data (RFC 1034 4.3.2 algorithm, RFC 2308 / RFC 8020
 * negative answers). Names are lowercase, absolute, without the trailing dot.
 */
export type LookupResult =
  /** NOERROR with data. `answer` may start with a CNAME chain (RFC 1034 4.3.2 step 3a). */
  | { kind: 'answer'; zone: string; answer: ResourceRecord[]; authority: ResourceRecord[]; additional: ResourceRecord[] }
  /** NOERROR, empty answer: the name exists (with data of other types, or as an empty non-terminal). */
  | { kind: 'nodata'; zone: string; answer: ResourceRecord[]; authority: ResourceRecord[] }
  /** The name (or the end of the CNAME chain in `answer`) exists for no type. authority = [zone SOA]. */
  | { kind: 'nxdomain'; zone: string; answer: ResourceRecord[]; authority: ResourceRecord[] }
  /** Not inside any zone this index is authoritative for. */
  | { kind: 'notauth' };
