// The public API of the `clusterdns` package.
export { startClusterDns, type ClusterDns, type ClusterDnsOptions } from './cluster-dns.js';
export { ClusterDnsError, ErrorCodes, type ErrorCode, type ErrorLocation } from './errors.js';
export type { ClusterEvent, ClusterObject, PodsMode } from './kubernetes/objects.js';
export type { ListenAddress } from './config/serve-options.js';
