// The soaked cluster, held in the API emulator: stable Services (with EndpointSlices and a Pod each),
// headless Services whose endpoints change, a pool of Services and a pool of Pods added and deleted, and
// label-only changes that must not change any answer. Every change is recorded in ExpectedAnswers the moment
// it is applied, so each answer can be checked against the state before or after it.
import { endpointSlice, namespace, pod, service, type ApiEmulator, type Json } from '../../test/helpers/api-emulator/index.js';
import { addresses, NXDOMAIN, type ExpectedAnswers } from './expected-answers.js';
import { pick, type Random } from './prng.js';

const ZONE = 'cluster.local';

/** An IPv4 address from a counter inside 10.<second>.0.0/16 (wraps after 65,536; pools are far smaller). */
function ip(second: number, n: number): string {
  const index = n % 65_536;
  return `10.${second}.${index >> 8}.${index & 255}`;
}

export function serviceName(name: string, ns: string): string {
  return `${name}.${ns}.svc.${ZONE}`;
}

export function podName(address: string, ns: string): string {
  return `${address.replaceAll('.', '-')}.${ns}.pod.${ZONE}`;
}

interface Pooled {
  name: string;
  ns: string;
  /** The DNS name it answers at. */
  dnsName: string;
}

export class SoakCluster {
  readonly namespaces: string[];
  /** The stable Services: their ClusterIP never changes, only their labels. */
  readonly stableServices: Array<{ name: string; ns: string }> = [];
  readonly headless: Array<{ name: string; ns: string }> = [];
  /** DNS names of the stable Pods (never change). */
  readonly stablePods: string[] = [];
  /** DNS names of churned Services and Pods, present and recently deleted (bounded rings). */
  readonly recentServiceNames: string[] = [];
  readonly recentPodNames: string[] = [];
  private readonly servicePool: Pooled[] = [];
  private readonly podPool: Pooled[] = [];
  private counter = 0;
  private step = 0;
  /** Changes applied, by kind. */
  readonly changes = { added: 0, changed: 0, deleted: 0 };

  constructor(
    private readonly emulator: ApiEmulator,
    private readonly expected: ExpectedAnswers,
    private readonly random: Random,
    private readonly services: number,
  ) {
    const count = Math.max(2, Math.ceil(services / 50));
    this.namespaces = Array.from({ length: count }, (_, i) => `ns-${i}`);
  }

  /** Size of the churned Service and Pod pools and of the headless set. */
  get poolSize(): number {
    return Math.max(5, Math.floor(this.services / 10));
  }

  /** The first full state, applied in one go before the server starts. */
  populate(): void {
    const objects: Json[] = this.namespaces.map((ns) => namespace(ns));
    for (let i = 0; i < this.services; i++) {
      const ns = this.namespaces[i % this.namespaces.length];
      const name = `svc-${i}`;
      const clusterIP = ip(96, i);
      objects.push(service(ns, name, { clusterIP, ports: [{ name: 'http', port: 80 }] }));
      const endpoints = [0, 1, 2].map((e) => ({ addresses: [ip(128, i * 3 + e)] }));
      objects.push(endpointSlice(ns, `${name}-abcde`, name, { endpoints, ports: [{ name: 'http', port: 8080 }] }));
      const podIp = ip(129, i);
      objects.push(pod(ns, `pod-${i}`, { ip: podIp }));
      this.stableServices.push({ name, ns });
      this.expected.set(serviceName(name, ns), addresses(clusterIP), 0);
      this.stablePods.push(podName(podIp, ns));
      this.expected.set(podName(podIp, ns), addresses(podIp), 0);
    }
    for (let k = 0; k < this.poolSize; k++) {
      const ns = this.namespaces[k % this.namespaces.length];
      const name = `hl-${k}`;
      objects.push(service(ns, name, { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }));
      const list = this.nextAddresses(130, 3);
      objects.push(endpointSlice(ns, `${name}-abcde`, name, { endpoints: list.map((a) => ({ addresses: [a] })) }));
      this.headless.push({ name, ns });
      this.expected.set(serviceName(name, ns), addresses(...list), 0);
    }
    this.emulator.applyAll(objects);
    for (let k = 0; k < this.poolSize; k++) {
      this.addService(0);
      this.addPod(0);
    }
  }

  /** Objects the emulator holds (what the server's index should converge to). */
  objectCount(): number {
    return (['services', 'endpointslices', 'pods', 'namespaces'] as const).reduce((sum, resource) => sum + this.emulator.count(resource), 0);
  }

  /** One change, in a fixed rotation that keeps the pools' sizes steady. */
  churn(): void {
    switch (this.step++ % 6) {
      case 0:
        return this.addService();
      case 1:
        return this.deleteOldest(this.servicePool, 'Service');
      case 2:
        return this.changeHeadless();
      case 3:
        return this.addPod();
      case 4:
        return this.deleteOldest(this.podPool, 'Pod');
      default:
        return this.relabelStable();
    }
  }

  private nextAddresses(second: number, count: number): string[] {
    return Array.from({ length: count }, () => ip(second, this.counter++));
  }

  private remember(ring: string[], dnsName: string): void {
    ring.push(dnsName);
    if (ring.length > 2 * this.poolSize) ring.shift();
  }

  private addService(at = performance.now()): void {
    const ns = pick(this.random, this.namespaces);
    const name = `churn-${this.counter}`;
    const [clusterIP] = this.nextAddresses(97, 1);
    const dnsName = serviceName(name, ns);
    // Absent until now: NXDOMAIN stays a right answer for the programming delay after the add.
    if (at > 0) this.expected.set(dnsName, NXDOMAIN, 0);
    this.expected.set(dnsName, addresses(clusterIP), at);
    this.emulator.apply(service(ns, name, { clusterIP, ports: [{ name: 'http', port: 80 }] }));
    this.servicePool.push({ name, ns, dnsName });
    this.remember(this.recentServiceNames, dnsName);
    this.changes.added++;
  }

  private addPod(at = performance.now()): void {
    const ns = pick(this.random, this.namespaces);
    const [address] = this.nextAddresses(131, 1);
    const dnsName = podName(address, ns);
    if (at > 0) this.expected.set(dnsName, NXDOMAIN, 0);
    this.expected.set(dnsName, addresses(address), at);
    this.emulator.apply(pod(ns, `cpod-${this.counter}`, { ip: address }));
    this.podPool.push({ name: `cpod-${this.counter}`, ns, dnsName });
    this.remember(this.recentPodNames, dnsName);
    this.changes.added++;
  }

  private deleteOldest(pool: Pooled[], kind: 'Service' | 'Pod'): void {
    const oldest = pool.shift();
    if (!oldest) return;
    this.expected.set(oldest.dnsName, NXDOMAIN);
    this.emulator.delete(kind, oldest.ns, oldest.name);
    this.changes.deleted++;
  }

  private changeHeadless(): void {
    const { name, ns } = pick(this.random, this.headless);
    const list = this.nextAddresses(130, 1 + Math.floor(this.random() * 4));
    this.expected.set(serviceName(name, ns), addresses(...list));
    this.emulator.apply(endpointSlice(ns, `${name}-abcde`, name, { endpoints: list.map((a) => ({ addresses: [a] })) }));
    this.changes.changed++;
  }

  /** A MODIFIED event that changes no answer: the name must keep answering as before. */
  private relabelStable(): void {
    const index = Math.floor(this.random() * this.stableServices.length);
    const { name, ns } = this.stableServices[index];
    this.emulator.apply(service(ns, name, { clusterIP: ip(96, index), ports: [{ name: 'http', port: 80 }], labels: { revision: String(this.counter++) } }));
    this.changes.changed++;
  }
}
