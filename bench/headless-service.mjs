import { RecordIndex } from '../dist/records/record-index.js';
import { ClusterStore } from '../dist/cluster/cluster-store.js';
const index = new RecordIndex({ zones: ['cluster.local'] });
const store = new ClusterStore({ index, zones: ['cluster.local'], ttl: 5, pods: 'disabled' });
const svc = { kind: 'Service', namespace: 'default', name: 'big', type: 'ClusterIP', clusterIPs: [], headless: true, ports: [{ name: 'http', port: 80, protocol: 'TCP' }], publishNotReadyAddresses: false };
const slice = (i, gen) => ({ kind: 'EndpointSlice', namespace: 'default', name: 'big-' + i, serviceName: 'big', addressType: 'IPv4',
  endpoints: Array.from({ length: 100 }, (_, j) => ({ addresses: [`10.${gen}.${i}.${j + 1}`], ready: true })), ports: [{ name: 'http', port: 80, protocol: 'TCP' }] });
let t = performance.now();
store.apply([{ type: 'upsert', object: svc }, ...Array.from({ length: 100 }, (_, i) => ({ type: 'upsert', object: slice(i, 1) }))]);
console.log('initial', (performance.now() - t).toFixed(1), 'ms');
for (let k = 0; k < 5; k++) {
  t = performance.now();
  store.apply([{ type: 'upsert', object: slice(k, 2) }]);
  console.log('one slice change', (performance.now() - t).toFixed(1), 'ms');
}
console.log(index.rrset('big.default.svc.cluster.local', 1).length)
