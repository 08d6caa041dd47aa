// The library's credentials: kubeconfig-resolver.ts's rules on client-node's own KubeConfig, loaded
// synchronously with its whole module graph (the CLI loads a narrower one: load-kubeconfig.ts).
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { resolveKubeConfigWith, type KubeConfigResolveOptions, type ResolvedKubeConfig } from './kubeconfig-resolver.js';

export {
  KUBE_CONFIG_ERROR_CODE,
  SERVICE_ACCOUNT_DIR,
  kubeConfigError,
  type KubeConfigError,
  type KubeConfigResolveOptions,
  type KubeConfigSource,
  type ResolvedKubeConfig,
} from './kubeconfig-resolver.js';

/** Resolve credentials as kubeconfig-resolver.ts describes. Throws a CLUSTERDNS_ERR_KUBE_CONFIG error. */
export function resolveKubeConfig(options: KubeConfigResolveOptions = {}): ResolvedKubeConfig {
  return resolveKubeConfigWith(KubeConfig, options);
}
