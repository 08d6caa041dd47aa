// A CommonJS TypeScript module of the app: `import` here compiles to require(), so tsc resolves the package's
// `require` export and its CommonJS .d.ts (checked with skipLibCheck false like the rest).
import { startClusterDns, type ClusterDns } from 'clusterdns';
import { service, type ServiceObject } from 'clusterdns/testing';

export function helloService(clusterIP: string): ServiceObject {
  return service('hello', 'default', { clusterIP });
}

export function startWithHello(clusterIP: string): Promise<ClusterDns> {
  return startClusterDns({ objects: [helloService(clusterIP)] });
}
