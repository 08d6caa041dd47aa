// The lookups the soak sends, drawn by weight: cluster hits (stable, churned, headless, pods), NXDOMAIN inside
// the cluster domain, forwarded names and forwarded NXDOMAIN, and the ndots walk a pod's resolver does
// (resolv.conf `search <ns>.svc.cluster.local svc.cluster.local cluster.local`, `options ndots:5`): each
// search suffix in turn until one answers.
import { addresses, NXDOMAIN, type ExpectedAnswers } from './expected-answers.js';
import { pick, type Random } from './prng.js';
import { serviceName, type SoakCluster } from './soak-cluster.js';

export type LookupKind = 'service' | 'churned-service' | 'headless' | 'pod' | 'cluster-nxdomain' | 'forwarded' | 'forwarded-nxdomain' | 'ndots-walk';

export interface Lookup {
  kind: LookupKind;
  transport: 'udp' | 'tcp';
  /** Names queried in order (type A); every one is checked. */
  names: string[];
}

/** Names the test upstream answers: fwd-<k>.example.test A 198.51.100.<k>. */
export const FORWARDED_NAMES = 100;

export function forwardedName(k: number): string {
  return `fwd-${k}.example.test`;
}

/** Names outside the cluster domain, which the server forwards to the test upstream. */
export function isForwarded(name: string): boolean {
  return !name.toLowerCase().endsWith('.cluster.local');
}

export function forwardedAddress(k: number): string {
  return `198.51.100.${k}`;
}

const WEIGHTS: Array<[LookupKind, number]> = [
  ['service', 25],
  ['churned-service', 12],
  ['headless', 10],
  ['pod', 10],
  ['cluster-nxdomain', 8],
  ['forwarded', 20],
  ['forwarded-nxdomain', 5],
  ['ndots-walk', 10],
];
const TOTAL_WEIGHT = WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);

/** Share of lookups sent over TCP (the rest over UDP). */
const TCP_SHARE = 0.3;

export class QueryMix {
  constructor(
    private readonly cluster: SoakCluster,
    private readonly expected: ExpectedAnswers,
    private readonly random: Random,
  ) {
    for (let k = 0; k < FORWARDED_NAMES; k++) expected.set(forwardedName(k), addresses(forwardedAddress(k)), 0);
  }

  next(): Lookup {
    let roll = this.random() * TOTAL_WEIGHT;
    let kind: LookupKind = 'service';
    for (const [candidate, weight] of WEIGHTS) {
      roll -= weight;
      if (roll < 0) {
        kind = candidate;
        break;
      }
    }
    const transport = this.random() < TCP_SHARE ? 'tcp' : 'udp';
    return { kind, transport, names: this.names(kind) };
  }

  private names(kind: LookupKind): string[] {
    const r = this.random;
    switch (kind) {
      case 'service': {
        const { name, ns } = pick(r, this.cluster.stableServices);
        return [serviceName(name, ns)];
      }
      case 'churned-service':
        return [pick(r, this.cluster.recentServiceNames)];
      case 'headless': {
        const { name, ns } = pick(r, this.cluster.headless);
        return [serviceName(name, ns)];
      }
      case 'pod':
        return [r() < 0.5 ? pick(r, this.cluster.stablePods) : pick(r, this.cluster.recentPodNames)];
      case 'cluster-nxdomain':
        return [this.absent(serviceName(`nosuch-${Math.floor(r() * 1000)}`, pick(r, this.cluster.namespaces)))];
      case 'forwarded':
        return [forwardedName(Math.floor(r() * FORWARDED_NAMES))];
      case 'forwarded-nxdomain':
        return [this.absent(`nxd-${Math.floor(r() * 1000)}.example.test`)];
      case 'ndots-walk':
        return this.walk();
    }
  }

  /** The names a pod in a random namespace queries for a short name, a name.namespace, or an outside name. */
  private walk(): string[] {
    const r = this.random;
    const clientNs = pick(r, this.cluster.namespaces);
    const search = [`${clientNs}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'];
    const { name, ns } = pick(r, this.cluster.stableServices);
    const roll = r();
    let typed: string;
    if (roll < 1 / 3) typed = ns === clientNs ? name : `${name}.${ns}`;
    else if (roll < 2 / 3) typed = `${name}.${ns}`;
    else typed = forwardedName(Math.floor(r() * FORWARDED_NAMES));
    const names: string[] = [];
    for (const suffix of search) {
      const candidate = `${typed}.${suffix}`;
      names.push(candidate);
      if (this.expected.has(candidate)) return names;
      this.absent(candidate);
    }
    names.push(typed);
    return names;
  }

  /** A name that never exists: NXDOMAIN at any time. */
  private absent(name: string): string {
    if (!this.expected.has(name)) this.expected.set(name, NXDOMAIN, 0);
    return name;
  }
}
