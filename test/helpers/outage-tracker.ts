// Whether a KubernetesApiSource is in an outage, from the events it emits ('outage' when one starts,
// 'recovered' when it ends), so the source ships no test-only state accessor.
import type { KubernetesApiSource } from '../../src/kube-api/api-source.js';

export function trackOutage(source: KubernetesApiSource): { readonly inOutage: boolean } {
  let inOutage = false;
  source.on('outage', () => (inOutage = true));
  source.on('recovered', () => (inOutage = false));
  return {
    get inOutage() {
      return inOutage;
    },
  };
}
