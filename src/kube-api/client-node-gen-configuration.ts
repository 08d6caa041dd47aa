// What client-node 1.4.0's dist/config.js takes from its generated API clients (dist/gen/index.js): only
// createConfiguration and ServerConfiguration, used by KubeConfig.makeApiClient(). gen/index.js re-exports all
// 797 generated modules; these two come from 7 of them. Imported in its place by kube-config-module.ts.
export { createConfiguration } from '@kubernetes/client-node/dist/gen/configuration.js';
export { ServerConfiguration } from '@kubernetes/client-node/dist/gen/servers.js';
