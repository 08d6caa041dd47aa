// Kubernetes objects trimmed to the fields DNS needs (docs/architecture.md "Memory"). Both the manifest loader and the API watch produce exactly these shapes,
// so the record builder has one input format.

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ObjectKey {
  namespace: string;
  name: string;
}

export interface ServicePort {
  /** Named ports get SRV records (spec 1.1.0 §2.3.1 / §2.4.1). */
  name?: string;
  port: number;
  protocol: Protocol;
}

export interface ServiceInfo extends ObjectKey {
  kind: 'Service';
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  /** True when spec.clusterIP is "None" (headless, spec 1.1.0 §2.4). */
  headless: boolean;
  /** spec.clusterIPs (or [spec.clusterIP]) without "None"/empty entries; IPv4 and IPv6 (dual-stack). */
  clusterIPs: string[];
  /** spec.externalName for type ExternalName, without a trailing dot. */
  externalName?: string;
  ports: ServicePort[];
  /** spec.publishNotReadyAddresses: not-ready endpoints are published too (as CoreDNS does). */
  publishNotReadyAddresses: boolean;
}

export interface EndpointInfo {
  addresses: string[];
  /** conditions.ready true or absent (discovery.k8s.io/v1: absent means ready). */
  ready: boolean;
  hostname?: string;
  /**
   * The name of the Pod the endpoint's targetRef points at, kept only when endpoint names use it (CoreDNS
   * `endpoint_pod_names`, TrimOptions.podNames): one string per endpoint is memory a big cluster otherwise saves.
   */
  podName?: string;
  /**
   * For a not-ready endpoint only: the name of the Pod its targetRef names, so `explain` can say which pod is
   * not ready (ready endpoints carry none: their memory is what a large cluster holds).
   */
  targetPod?: string;
  /** For a not-ready endpoint only: conditions.terminating is true (the pod is being deleted). */
  terminating?: true;
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: Protocol;
}

export interface EndpointSliceInfo extends ObjectKey {
  kind: 'EndpointSlice';
  /** The `kubernetes.io/service-name` label; slices without it belong to no Service. */
  serviceName?: string;
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints: EndpointInfo[];
  ports: EndpointPort[];
  /**
   * The `endpoints.kubernetes.io/last-change-trigger-time` annotation (ms since the epoch): when the change this
   * slice carries happened, for the DNS programming latency metric. API source only.
   */
  lastChangeTriggerTime?: number;
}

export interface PodInfo extends ObjectKey {
  kind: 'Pod';
  /** status.podIPs (or [status.podIP]). */
  ips: string[];
  /** status.phase: only Running pods get verified pod records. */
  phase: string;
  /** metadata.deletionTimestamp is set: the pod is going away and gets no verified pod records. */
  terminating?: true;
  /** spec.dnsPolicy and spec.dnsConfig, only when they differ from ClusterFirst with no dnsConfig (the default). */
  dns?: PodDnsSettings;
}

/** What decides a pod's resolv.conf (Kubernetes "Pod's DNS Policy" and "Pod's DNS Config"). */
export interface PodDnsSettings {
  policy: 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'Default' | 'None';
  /** spec.hostNetwork: with ClusterFirst the pod then gets the node's resolv.conf (as Default). */
  hostNetwork?: true;
  nameservers?: string[];
  searches?: string[];
  /** dnsConfig.options as `name` or `name:value` (ndots:2). */
  options?: string[];
}

export interface NamespaceInfo {
  kind: 'Namespace';
  name: string;
}

export type ClusterObject = ServiceInfo | EndpointSliceInfo | PodInfo | NamespaceInfo;
export type ClusterObjectKind = ClusterObject['kind'];

/** One change to the cluster, as a watch event or a manifest diff produces it. */
export type ClusterEvent =
  | { type: 'upsert'; object: ClusterObject }
  | { type: 'delete'; kind: ClusterObjectKind; namespace: string; name: string };

/** Pod record policy (CoreDNS `pods` option). */
export type PodsMode = 'disabled' | 'insecure' | 'verified';
