// The CLI's credentials: kubeconfig-resolver.ts's rules on client-node's KubeConfig loaded without the
// generated API clients (kube-config-module.ts), which the serving process would otherwise hold for good.
// ESM only, like kube-config-module.ts.
import type { KubeConfig } from '@kubernetes/client-node';
import { importKubeConfigModule } from './kube-config-module.js';
import {
  endpointKubeConfigWith,
  resolveKubeConfigWith,
  type KubeConfigResolveOptions,
  type ResolvedKubeConfig,
} from './kubeconfig-resolver.js';

/** resolveKubeConfig (kubeconfig.ts) for the CLI. Rejects with a CLUSTERDNS_ERR_KUBE_CONFIG error. */
export async function loadKubeConfig(options: KubeConfigResolveOptions = {}): Promise<ResolvedKubeConfig> {
  const { module } = await importKubeConfigModule();
  return resolveKubeConfigWith(module.KubeConfig, options);
}

/** CoreDNS `endpoint URL` without a kubeconfig: that API server, without credentials. */
export async function loadEndpointKubeConfig(server: string): Promise<KubeConfig> {
  const { module } = await importKubeConfigModule();
  return endpointKubeConfigWith(module.KubeConfig, server);
}
