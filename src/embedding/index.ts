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
