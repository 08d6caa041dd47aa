// The Kubernetes API server emulator and its helpers (see emulator.ts for the protocol it speaks).
export {
  ApiEmulator,
  RESOURCES,
  statusObject,
  type ApiEmulatorOptions,
  type EmulatedKind,
  type Json,
  type RecordedRequest,
  type ResourceName,
  type PageFailure,
  type RequestFilter,
  type SilentMode,
} from './emulator.js';
export { endpointSlice, namespace, pod, service, type EndpointSpec, type ServiceSpec, type SliceSpec } from './objects.js';
export { kubeconfigYaml, tempDir, writeKubeconfig, type KubeconfigContext, type KubeconfigFileOptions } from './kubeconfig-file.js';
export { parseFieldSelector, parseLabelSelector } from './selectors.js';
export { captureLogger, nextEvent, waitFor, type CapturedLogger, type LogLine } from './testing.js';
export { forbiddenMessage, rbacAllows, rbacTableFromObjects, type RbacGrant, type RbacRequest, type RbacTable } from './rbac.js';
