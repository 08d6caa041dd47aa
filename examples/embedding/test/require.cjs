// Plain CommonJS (no test runner): require() takes the package's CommonJS build. A process that also
// imports the ES module build shares one state with it: builder counters and `instanceof ClusterDnsError`.
'use strict';
const assert = require('node:assert/strict');
const main = require('clusterdns');
const testing = require('clusterdns/testing');

(async () => {
  assert.match(require.resolve('clusterdns'), /dist\/cjs\/index\.js$/);
  const dns = await main.startClusterDns({ objects: [testing.service('cjs', 'default', { clusterIP: '10.96.0.42' })] });
  try {
    assert.deepEqual(await dns.resolver().resolve4('cjs.default.svc.cluster.local'), ['10.96.0.42']);
  } finally {
    await dns.close();
  }

  const esm = await import('clusterdns');
  const esmTesting = await import('clusterdns/testing');
  assert.notEqual(esm.startClusterDns, main.startClusterDns, 'two builds are loaded');
  testing.resetBuilders();
  assert.equal(testing.allocateClusterIP(), '10.96.1.1');
  assert.equal(esmTesting.allocateClusterIP(), '10.96.1.2', 'the ESM builders continue the CommonJS counters');
  const fromEsm = await esm.startClusterDns({ objects: { kind: 'Deployment', metadata: { name: 'x' } } }).catch((err) => err);
  assert.ok(fromEsm instanceof main.ClusterDnsError, 'an ESM-thrown ClusterDnsError is a CommonJS ClusterDnsError');
  assert.equal(fromEsm.code, 'CLUSTERDNS_ERR_OBJECT_UNSUPPORTED');
  console.log('CommonJS: ok');
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
