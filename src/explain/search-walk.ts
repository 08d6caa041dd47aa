// `explain --from-pod`: the resolv.conf the kubelet writes for a pod (Kubernetes "DNS for Services and Pods":
// dnsPolicy and dnsConfig) and the queries its stub resolver sends for one name, in order, each answered by the
// server. Modelled on glibc res_nsearch: with fewer dots than ndots the search domains are tried first, then
// the name as given; NXDOMAIN, NODATA and SERVFAIL go on to the next candidate, an answer or any other rcode
// ends the walk. getaddrinfo asks A and AAAA for every candidate, so an A question walks both.
import type { ClusterStore } from '../cluster/cluster-store.js';
import type { PodDnsSettings } from '../cluster/objects.js';
import { DNS_SERVICE } from '../cluster/record-builder.js';
import { searchCandidates } from '../embedding/lookup.js';
import { ClusterDnsError, ErrorCodes } from '../errors.js';
import { normalizeName } from '../wire/name.js';
import { typeName } from '../wire/presentation.js';
import { RRType } from '../wire/types.js';
import type { Explanation, ObjectRef, Reason, SearchStep, SearchWalk } from './explanation.js';

export interface WalkContext {
  store: ClusterStore;
  /** The node's search domains, which the kubelet appends for ClusterFirst pods. */
  hostSearch: readonly string[];
  /** One question as the server answers it. */
  ask: (qname: string, qtype: number) => Promise<Explanation>;
}

/** Kubernetes' default ndots for ClusterFirst pods. */
const CLUSTER_NDOTS = 5;
/** glibc's default when resolv.conf sets none. */
const DEFAULT_NDOTS = 1;

/** The pod's resolv.conf, as the kubelet builds it from dnsPolicy and dnsConfig. */
export function podResolvConf(pod: { namespace: string; dns?: PodDnsSettings }, zone: string, clusterDns: string[], hostSearch: readonly string[]): SearchWalk['resolvConf'] & { usesClusterDns: boolean } {
  const dns = pod.dns;
  const policy = dns?.policy ?? 'ClusterFirst';
  // ClusterFirst on the host network falls back to Default (the node's resolver); ClusterFirstWithHostNet does not.
  const clusterFirst = policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && dns?.hostNetwork !== true);
  let nameservers: string[] = [];
  let search: string[] = [];
  let ndots = DEFAULT_NDOTS;
  if (clusterFirst) {
    nameservers = [...clusterDns];
    search = [`${pod.namespace}.svc.${zone}`, `svc.${zone}`, zone, ...hostSearch];
    ndots = CLUSTER_NDOTS;
  } else if (policy !== 'None') {
    nameservers = ['(the node\'s nameservers)'];
    search = [...hostSearch];
  }
  nameservers.push(...(dns?.nameservers ?? []));
  for (const domain of dns?.searches ?? []) if (!search.includes(domain)) search.push(domain);
  for (const option of dns?.options ?? []) {
    const match = /^ndots:(\d+)$/.exec(option);
    if (match) ndots = Math.min(15, Number(match[1]));
  }
  const usesClusterDns = clusterFirst || (dns?.nameservers ?? []).some((ns) => clusterDns.includes(ns));
  return { nameservers, search, ndots, usesClusterDns };
}

export async function walkSearchPath(name: string, qtype: number, podRef: string, ctx: WalkContext): Promise<Explanation> {
  const [namespace, podName, extra] = podRef.split('/');
  if (!namespace || !podName || extra !== undefined) {
    throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, `explain: --from-pod takes NAMESPACE/NAME, not ${JSON.stringify(podRef)}`);
  }
  const pod = ctx.store.pod(namespace.toLowerCase(), podName.toLowerCase());
  if (pod === undefined) {
    throw new ClusterDnsError(ErrorCodes.CONFIG_INVALID_VALUE, `explain: no pod ${namespace}/${podName} in the cluster data (are pods loaded? --pods verified)`);
  }
  const zone = ctx.store.buildOptions.zones[0] ?? 'cluster.local';
  const dnsService = ctx.store.service(DNS_SERVICE.namespace, DNS_SERVICE.name);
  const clusterDns = dnsService?.clusterIPs.length ? [...dnsService.clusterIPs] : ['(the cluster DNS Service IP)'];
  const conf = podResolvConf(pod, zone, clusterDns, ctx.hostSearch.map(normalizeName));
  const candidates = searchCandidates(name.trim(), conf.search, conf.ndots);
  const types = qtype === RRType.A ? [RRType.A, RRType.AAAA] : [qtype];

  const steps: SearchStep[] = [];
  const reasons: Reason[] = [];
  let answered: Explanation | null = null;
  let last: Explanation | null = null;
  walk: for (const candidate of candidates) {
    let stop = false;
    for (const type of types) {
      const result = await ctx.ask(candidate, type);
      const answers = result.answers.map((a) => a.record);
      steps.push({ name: candidate, type: typeName(type), rcode: result.rcode, answers });
      const shown = result.rcode === 'NOERROR' && answers.length === 0 ? 'NOERROR, no records (NODATA)' : answers.length > 0 ? `${result.rcode}, ${answers.length} record${answers.length > 1 ? 's' : ''}` : result.rcode;
      reasons.push({ code: 'search-path', message: `query ${steps.length}: ${candidate}. ${typeName(type)} → ${shown}` });
      if (type === qtype || last === null) last = result;
      if (result.rcode === 'NOERROR' && answers.length > 0) {
        if (answered === null || type === qtype) answered = result;
        stop = true;
      } else if (!['NOERROR', 'NXDOMAIN', 'SERVFAIL'].includes(result.rcode)) {
        stop = true;
      }
    }
    if (stop) break walk;
  }
  const final = answered ?? last!;
  // Server-side autopath answers the whole walk in the first query of each type, when the walk starts at the
  // first search domain and finds something (CoreDNS autopath @kubernetes).
  const startsAtSearch = conf.search.length > 0 && candidates[0] === `${normalizeName(name.trim())}.${conf.search[0]}`;
  const queriesWithAutopath = startsAtSearch && answered !== null && conf.usesClusterDns ? Math.min(types.length, steps.length) : steps.length;
  const podObject: ObjectRef = { kind: 'Pod', namespace: pod.namespace, name: pod.name };
  const walk: SearchWalk = {
    asked: name.trim(),
    pod: podObject,
    resolvConf: { nameservers: conf.nameservers, search: conf.search, ndots: conf.ndots },
    usesClusterDns: conf.usesClusterDns,
    steps,
    answeredBy: answered?.question.name ?? null,
    queries: steps.length,
    queriesWithAutopath,
  };
  if (!conf.usesClusterDns) {
    reasons.unshift({ code: 'search-path', message: `pod ${pod.namespace}/${pod.name} has dnsPolicy ${pod.dns?.policy ?? 'ClusterFirst'}${pod.dns?.hostNetwork ? ' on the host network' : ''}: its queries go to the node's resolver, not to cluster DNS; the answers below are what cluster DNS would give`, object: podObject });
  }
  // The question and answer are those of the candidate the walk ended at; `walk.asked` is the name as typed.
  return { ...final, question: { name: final.question.name, type: typeName(qtype) }, reasons: [...reasons, ...final.reasons], walk };
}
