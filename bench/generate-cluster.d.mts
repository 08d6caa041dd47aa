// Types for bench/generate-cluster.mjs (the unit tests import it from TypeScript).
export interface BenchPort {
  name: string;
  port: number;
}
export interface BenchEndpoint {
  hostname: string;
  ip: string;
}
export interface BenchService {
  namespace: string;
  name: string;
  headless: boolean;
  port: BenchPort;
  clusterIP?: string;
  endpoints?: BenchEndpoint[];
}
export interface BenchCluster {
  zone: string;
  namespaces: string[];
  services: BenchService[];
}
export interface GenerateOptions {
  services?: number;
  namespaces?: number;
  seed?: number;
  zone?: string;
}
export function prng(seed: number): () => number;
export function generateCluster(options?: GenerateOptions): BenchCluster;
export function toKubernetesList(cluster: BenchCluster): { apiVersion: string; kind: string; items: Array<Record<string, unknown>> };
export function toYaml(value: unknown, indent?: string): string;
export function toZoneFile(cluster: BenchCluster, ttl?: number): string;
export function toNames(cluster: BenchCluster): { zone: string; namespaces: string[]; services: Array<[string, string, string, number]> };
export function writeCluster(options: GenerateOptions & { out: string; format?: 'json' | 'yaml' }): {
  manifest: string;
  zoneFile: string;
  namesFile: string;
  cluster: BenchCluster;
  objects: number;
};
