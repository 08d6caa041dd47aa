// The embedding API: re-exported by the package root (`import { startClusterDns } from 'clusterdns'`).
export {
  startClusterDns,
  type ClusterDns,
  type ClusterDnsOptions,
  type ResolverOptions,
} from './embedded-cluster-dns.js';
export {
  createClusterLookup,
  searchCandidates,
  type ClusterLookup,
  type ClusterLookupPromise,
  type LookupAddress,
  type LookupOptions,
  type LookupSettings,
} from './lookup.js';
export { EmbeddingErrorCodes, type EmbeddingErrorCode, type LookupError } from './errors.js';
export type { DeleteInput, KubernetesList, KubernetesObject, ObjectRef, ObjectsInput } from './objects.js';
export type { ExplainOptions } from '../explain/explainer.js';
export type {
  ExplainedRecord,
  Explanation,
  ObjectRef as ExplainObjectRef,
  Reason as ExplainReason,
  ReasonCode as ExplainReasonCode,
  RecordSource as ExplainRecordSource,
  SearchStep as ExplainSearchStep,
  SearchWalk as ExplainSearchWalk,
} from '../explain/explanation.js';
