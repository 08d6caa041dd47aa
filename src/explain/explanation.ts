// What `explain` returns (CLI --json, HTTP /explain, the embedding API's dns.explain): the answer the server
// gives, each record with the object and spec rule behind it, and the reasons behind a negative answer.
// The shape and the reason codes are stable (docs/explain.md).

/** Stable reason codes, one per kind of finding. */
export const REASON_CODES = [
  'no-such-namespace',
  'no-such-service',
  'endpoint-not-ready',
  'no-endpoints',
  'no-address-of-type',
  'port-unnamed',
  'externalname-capture',
  'pod-records-disabled',
  'pod-not-found',
  'pod-terminating',
  'zone-not-served',
  'search-path',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** A Kubernetes object as `kubectl get` names it (namespace "" for a Namespace). */
export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
}

/**
 * Where a record comes from: a cluster object (Service, EndpointSlice, Pod, Namespace), the zone itself
 * (kind "Zone": SOA, NS, schema version), a zone file (kind "ZoneFile", name its path), or an upstream
 * (kind "Upstream", name its addresses).
 */
export interface RecordSource extends ObjectRef {
  resourceVersion?: string;
}

export interface ExplainedRecord {
  /** The record in presentation format, as dig prints it. */
  record: string;
  /** "answer", "authority" or "additional". */
  section: 'answer' | 'authority' | 'additional';
  source: RecordSource;
  /** The rule that makes it, e.g. "Kubernetes DNS spec 1.1.0 §2.3.1 (A record per ClusterIP)". */
  rule: string;
}

export interface Reason {
  code: ReasonCode;
  message: string;
  object?: ObjectRef;
}

/** One query a pod's resolver sends while walking its search path. */
export interface SearchStep {
  name: string;
  type: string;
  rcode: string;
  /** Answer records in presentation format. */
  answers: string[];
}

/** `--from-pod`: the resolv.conf the pod gets and the walk its resolver makes. */
export interface SearchWalk {
  /** The name as the application asked it (the question of the explanation is the candidate the walk ended at). */
  asked: string;
  pod: ObjectRef;
  /** The pod's resolv.conf as the kubelet writes it. */
  resolvConf: { nameservers: string[]; search: string[]; ndots: number };
  /** False when the pod's queries do not reach cluster DNS (dnsPolicy Default, host network). */
  usesClusterDns: boolean;
  steps: SearchStep[];
  /** The candidate name that answered, or null when none did. */
  answeredBy: string | null;
  /** Queries sent with the search path walked by the pod, and with server-side autopath (CoreDNS autopath @kubernetes). */
  queries: number;
  queriesWithAutopath: number;
}

export interface Explanation {
  question: { name: string; type: string };
  /** NOERROR, NXDOMAIN, SERVFAIL, REFUSED… as the server answers. */
  rcode: string;
  /** NOERROR with no answer records (RFC 2308 NODATA). */
  nodata: boolean;
  answers: ExplainedRecord[];
  /** Authority and additional records, attributed the same way. */
  others: ExplainedRecord[];
  /** For a negative answer: the longest suffix of the name that exists (RFC 8020), or null outside served data. */
  closestExisting: string | null;
  reasons: Reason[];
  /** Only with a pod to ask from (`--from-pod`). */
  walk?: SearchWalk;
}

/** What the explainer needs to know about the way the server serves (the answers themselves it asks the server for). */
export interface ExplainSettings {
  /** Where names outside every served zone go: `domain` "" is the default route; absent or empty, not forwarded. */
  forwardRoutes?: ReadonlyArray<{ domain: string; upstreams: string[] }>;
  /** Origins of the zone files served, and the file of each. */
  zoneFiles?: () => ReadonlyArray<{ origin: string; file: string }>;
  /** Say in zone-not-served what a server would do when this explainer cannot forward (the CLI offline). */
  offline?: boolean;
  /** The node's search domains kubelet appends to ClusterFirst pods (default none). */
  hostSearch?: readonly string[];
}
