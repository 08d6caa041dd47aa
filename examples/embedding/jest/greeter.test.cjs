const http = require('node:http');
const { promisify } = require('node:util');
const { startClusterDns } = require('clusterdns');
const { headlessService, service } = require('clusterdns/testing');

// The code under test: calls a Service by its short name, as it would inside a pod.
function fetchGreeting({ host, port, lookup }) {
  return new Promise((resolve, reject) => {
    http
      .get({ host, port, path: '/', lookup, agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

let dns;
let backend;
let port;

beforeAll(async () => {
  backend = http.createServer((_req, res) => res.end('hello from the backend'));
  await new Promise((resolve) => backend.listen(0, '127.0.0.1', resolve));
  port = backend.address().port;
  dns = await startClusterDns({
    objects: [service('hello', 'default', { clusterIP: '127.0.0.1', ports: [{ name: 'http', port }] })],
  });
});

afterEach(() => dns.reset());

afterAll(async () => {
  await dns.close();
  await new Promise((resolve) => backend.close(resolve));
});

test('the app reaches the Service by its short name through dns.lookup', async () => {
  expect(await fetchGreeting({ host: 'hello', port, lookup: dns.lookup })).toBe('hello from the backend');
});

test('replaceAll serves exactly the given objects on the same server', async () => {
  const portBefore = dns.address.port;
  await dns.replaceAll(headlessService('db', 'default', { endpoints: ['10.244.0.5', '10.244.0.6'] }));
  const lookup = promisify(dns.lookup);
  expect(await lookup('db', { all: true })).toEqual([
    { address: '10.244.0.5', family: 4 },
    { address: '10.244.0.6', family: 4 },
  ]);
  await expect(lookup('hello')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  expect(dns.address.port).toBe(portBefore);
});

test('after reset the objects given to startClusterDns are served again, db is gone', async () => {
  const resolver = dns.resolver();
  expect(await resolver.resolve4('hello.default.svc.cluster.local')).toEqual(['127.0.0.1']);
  await expect(resolver.resolve4('db.default.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
});

test('bad objects reject with a stable error code', async () => {
  await expect(
    dns.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { clusterIP: 'nope' } }),
  ).rejects.toMatchObject({ code: 'CLUSTERDNS_ERR_OBJECT_INVALID' });
});

test('kubeconfig needs the ESM mode of Jest (client-node is an ES module), and the error says so', async () => {
  await expect(startClusterDns({ kubeconfig: '/nonexistent/kubeconfig' })).rejects.toMatchObject({
    code: 'CLUSTERDNS_ERR_KUBE_CONFIG',
    message: expect.stringContaining('--experimental-vm-modules'),
  });
});
