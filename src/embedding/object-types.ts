// The Kubernetes objects a user passes to `apply`/`objects` and the builders return, typed by the package
// itself: the published .d.ts must type-check without @kubernetes/client-node's types (which want @types/ws).
// Field names and value types follow the Kubernetes API (core/v1, discovery.k8s.io/v1), so client-node's
// V1Service, V1EndpointSlice, V1Pod and V1Namespace are assignable. Fields clusterdns does not read are
// `unknown`: listed only so an object literal that sets them is no excess-property error.

/** Labels and annotations. */
export type StringMap = { [key: string]: string };

/** metadata (ObjectMeta): clusterdns reads name, namespace and labels. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: StringMap;
  annotations?: StringMap;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  generateName?: string;
  /** A Date from client-node, an RFC 3339 string from YAML/JSON. */
  creationTimestamp?: Date | string;
  deletionTimestamp?: Date | string;
  deletionGracePeriodSeconds?: number;
  finalizers?: string[];
  ownerReferences?: unknown[];
  managedFields?: unknown[];
  selfLink?: string;
}

/** A Service port. `targetPort` is a number or a container port name (IntOrString). */
export interface ServicePort {
  port: number;
  name?: string;
  protocol?: string;
  targetPort?: number | string;
  nodePort?: number;
  appProtocol?: string;
}

export interface ServiceSpec {
  /** ClusterIP (default), NodePort, LoadBalancer or ExternalName. */
  type?: string;
  /** An address, or "None" for a headless Service. */
  clusterIP?: string;
  clusterIPs?: string[];
  externalName?: string;
  ports?: ServicePort[];
  selector?: StringMap;
  publishNotReadyAddresses?: boolean;
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  externalIPs?: string[];
  externalTrafficPolicy?: string;
  internalTrafficPolicy?: string;
  healthCheckNodePort?: number;
  allocateLoadBalancerNodePorts?: boolean;
  loadBalancerClass?: string;
  loadBalancerIP?: string;
  loadBalancerSourceRanges?: string[];
  sessionAffinity?: string;
  sessionAffinityConfig?: unknown;
  trafficDistribution?: string;
}

/** A v1 Service. */
export interface ServiceObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: ServiceSpec;
  status?: unknown;
}

export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

/** An object reference (an endpoint's `targetRef`). */
export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** One endpoint of an EndpointSlice. */
export interface Endpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
  zone?: string;
  hints?: unknown;
  deprecatedTopology?: StringMap;
}

export interface EndpointPort {
  name?: string;
  port?: number;
  protocol?: string;
  appProtocol?: string;
}

/** A discovery.k8s.io/v1 EndpointSlice. */
export interface EndpointSliceObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  /** IPv4, IPv6 or FQDN. */
  addressType: string;
  endpoints: Endpoint[];
  ports?: EndpointPort[];
}

export interface PodSpec {
  hostname?: string;
  subdomain?: string;
  nodeName?: string;
  containers?: unknown[];
  initContainers?: unknown[];
  ephemeralContainers?: unknown[];
  volumes?: unknown[];
  restartPolicy?: string;
  serviceAccount?: string;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  dnsPolicy?: string;
  dnsConfig?: unknown;
  hostNetwork?: boolean;
  hostIPC?: boolean;
  hostPID?: boolean;
  hostUsers?: boolean;
  hostAliases?: unknown[];
  hostnameOverride?: string;
  setHostnameAsFQDN?: boolean;
  nodeSelector?: StringMap;
  affinity?: unknown;
  tolerations?: unknown[];
  topologySpreadConstraints?: unknown[];
  securityContext?: unknown;
  imagePullSecrets?: unknown[];
  priority?: number;
  priorityClassName?: string;
  preemptionPolicy?: string;
  schedulerName?: string;
  schedulingGates?: unknown[];
  runtimeClassName?: string;
  readinessGates?: unknown[];
  resourceClaims?: unknown[];
  resources?: unknown;
  overhead?: unknown;
  os?: unknown;
  enableServiceLinks?: boolean;
  shareProcessNamespace?: boolean;
  activeDeadlineSeconds?: number;
  terminationGracePeriodSeconds?: number;
}

export interface PodStatus {
  /** Pending, Running, Succeeded, Failed or Unknown: only Running pods get verified pod records. */
  phase?: string;
  podIP?: string;
  podIPs?: Array<{ ip: string }>;
  hostIP?: string;
  hostIPs?: unknown[];
  conditions?: unknown[];
  containerStatuses?: unknown[];
  initContainerStatuses?: unknown[];
  ephemeralContainerStatuses?: unknown[];
  extendedResourceClaimStatus?: unknown;
  resourceClaimStatuses?: unknown[];
  message?: string;
  reason?: string;
  nominatedNodeName?: string;
  observedGeneration?: number;
  qosClass?: string;
  resize?: string;
  startTime?: Date | string;
}

/** A v1 Pod. */
export interface PodObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: PodSpec;
  status?: PodStatus;
}

/** A v1 Namespace. */
export interface NamespaceObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: unknown;
  status?: { phase?: string; conditions?: unknown[] };
}

/** Any object clusterdns reads: as client-node types it, as YAML/JSON gives it, or as a builder makes it. */
export type KubernetesObject = ServiceObject | EndpointSliceObject | PodObject | NamespaceObject;
