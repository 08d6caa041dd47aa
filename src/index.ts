// The public API of the `clusterdns` package. Test builders live in `clusterdns/testing`.
export {
  startClusterDns,
  createClusterLookup,
  EmbeddingErrorCodes,
  type ClusterDns,
  type ClusterDnsOptions,
  type ClusterLookup,
  type ClusterLookupPromise,
  type DeleteInput,
  type KubernetesList,
  type KubernetesObject,
  type LookupError,
  type LookupSettings,
  type ObjectRef,
  type ObjectsInput,
  type ResolverOptions,
  type ExplainOptions,
  type ExplainedRecord,
  type Explanation,
  type ExplainObjectRef,
  type ExplainReason,
  type ExplainReasonCode,
  type ExplainRecordSource,
  type ExplainSearchStep,
  type ExplainSearchWalk,
} from './embedding/index.js';
export type {
  EndpointSliceObject,
  NamespaceObject,
  ObjectMeta,
  PodObject,
  ServiceObject,
} from './embedding/object-types.js';
export type { AutopathSettings } from './pipeline/autopath-handler.js';
export { ClusterDnsError, ErrorCodes, type ErrorCode, type ErrorLocation } from './errors.js';
export type { ClusterEvent, ClusterObject, PodsMode } from './cluster/objects.js';
export type { ListenAddress } from './config/serve-options.js';
