// CommonJS consumers: require() works where Node loads ES modules synchronously (20.19+, 22.12+);
// everywhere else `await import('clusterdns')` does.
'use strict';
const assert = require('node:assert/strict');

async function load() {
  if (process.features.require_module) {
    return { main: require('clusterdns'), testing: require('clusterdns/testing') };
  }
  return { main: await import('clusterdns'), testing: await import('clusterdns/testing') };
}

load()
  .then(async ({ main, testing }) => {
    const dns = await main.startClusterDns({ objects: [testing.service('cjs', 'default', { clusterIP: '10.96.0.42' })] });
    try {
      assert.deepEqual(await dns.resolver().resolve4('cjs.default.svc.cluster.local'), ['10.96.0.42']);
    } finally {
      await dns.close();
    }
    console.log('CommonJS: ok');
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
