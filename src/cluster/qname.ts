// The qname grammar of a cluster zone, in one place (modelled on CoreDNS plugin/kubernetes/parse.go).
// The record builder names records with the build functions below; the kubernetes handler classifies a
// question with parseQname. Both sides therefore agree by construction, and the tests round-trip them.
//
// Grammar (labels are case-insensitive; names are handled lowercase, absolute, without the trailing dot):
//
//   qname       = [ relative "." ] zone
//   relative    = "svc"                                        ; svc-root
//               / "pod"                                        ; pod-root
//               / ns ".svc"                                    ; namespace (services)
//               / ns ".pod"                                    ; namespace (pods)
//               / service "." ns ".svc"                        ; service
//               / endpoint "." service "." ns ".svc"           ; endpoint (hostname or dashed IP)
//               / "_" port "._" proto "." service "." ns ".svc" ; port (SRV)
//               / dashed-ip "." ns ".pod"                      ; pod
//               / "dns-version"                                ; dns-version (TXT, spec 1.1.0 §2.2)
//               / "ns.dns"                                     ; nameserver (target of the apex NS)
//   dashed-ip   = IPv4 with "-" for "." (10-244-1-10) / IPv6 with "-" for ":" (fd00-10--5)
//   port, proto = the port name and protocol, lowercase ("_http._tcp")
//
// An empty relative part is the apex. Anything else under the zone (more labels, a 5-label svc name
// without the underscores, a tail other than svc/pod) is "other": such names exist for no type.
import { dashedIp, parseDashedIp } from '../records/ip-names.js';
import type { Protocol } from './objects.js';

export type Qname =
  | { kind: 'apex' }
  | { kind: 'svc-root' }
  | { kind: 'pod-root' }
  | { kind: 'namespace'; namespace: string; under: 'svc' | 'pod' }
  | { kind: 'service'; namespace: string; service: string }
  | { kind: 'endpoint'; namespace: string; service: string; endpoint: string }
  | { kind: 'port'; namespace: string; service: string; port: string; protocol: string }
  /** `ip` is null when the label does not parse as a dashed IP (such a name never exists). */
  | { kind: 'pod'; namespace: string; label: string; ip: string | null }
  | { kind: 'dns-version' }
  | { kind: 'nameserver' }
  | { kind: 'other' };

/** `<a>.<zone>`, with the root zone "" handled. */
function join(relative: string, zone: string): string {
  return zone === '' ? relative : `${relative}.${zone}`;
}

/** `svc.<zone>` */
export function svcRootName(zone: string): string {
  return join('svc', zone);
}

/** `pod.<zone>` */
export function podRootName(zone: string): string {
  return join('pod', zone);
}

/** `<ns>.svc.<zone>` or `<ns>.pod.<zone>` */
export function namespaceName(namespace: string, zone: string, under: 'svc' | 'pod' = 'svc'): string {
  return join(`${namespace.toLowerCase()}.${under}`, zone);
}

/** `<svc>.<ns>.svc.<zone>` */
export function serviceName(service: string, namespace: string, zone: string): string {
  return join(`${service.toLowerCase()}.${namespace.toLowerCase()}.svc`, zone);
}

/** `<hostname>.<svc>.<ns>.svc.<zone>`; `hostname` is the endpoint's hostname or its dashed IP. */
export function endpointName(hostname: string, service: string, namespace: string, zone: string): string {
  return `${hostname.toLowerCase()}.${serviceName(service, namespace, zone)}`;
}

/** `_<port>._<proto>.<svc>.<ns>.svc.<zone>` with the port name and protocol lowercase. */
export function srvName(port: string, protocol: Protocol | string, service: string, namespace: string, zone: string): string {
  return `_${port.toLowerCase()}._${protocol.toLowerCase()}.${serviceName(service, namespace, zone)}`;
}

/** `<dashed-ip>.<ns>.pod.<zone>` */
export function podName(ip: string, namespace: string, zone: string): string {
  return `${dashedIp(ip)}.${namespaceName(namespace, zone, 'pod')}`;
}

/** `dns-version.<zone>` (TXT with the schema version). */
export function dnsVersionName(zone: string): string {
  return join('dns-version', zone);
}

/** `ns.dns.<zone>`: the apex NS target (and SOA MNAME). */
export function nameserverName(zone: string): string {
  return join('ns.dns', zone);
}

/**
 * The label a headless/endpoint record is named by, as CoreDNS endpointHostname: the hostname field, else the
 * Pod name (kept only with `endpoint_pod_names`), else the dashed IP.
 */
export function endpointLabel(hostname: string | undefined, ip: string, podName?: string): string {
  if (hostname !== undefined && hostname !== '') return hostname.toLowerCase();
  return podName !== undefined && podName !== '' ? podName : dashedIp(ip);
}

/**
 * Classify `qname` (absolute, no trailing dot; any letter case) inside `zone`. Returns null when the name
 * is not inside the zone at all.
 */
export function parseQname(qname: string, zone: string): Qname | null {
  const name = qname.toLowerCase();
  const apex = zone.toLowerCase();
  let relative: string;
  if (name === apex) return { kind: 'apex' };
  if (apex === '') relative = name;
  else if (name.endsWith(`.${apex}`)) relative = name.slice(0, -apex.length - 1);
  else return null;
  if (relative === '') return { kind: 'other' }; // "." + zone, not a valid name

  const labels = relative.split('.');
  const n = labels.length;
  const tail = labels[n - 1];
  if (n === 1) {
    if (tail === 'svc') return { kind: 'svc-root' };
    if (tail === 'pod') return { kind: 'pod-root' };
    if (tail === 'dns-version') return { kind: 'dns-version' };
    return { kind: 'other' };
  }
  if (n === 2 && relative === 'ns.dns') return { kind: 'nameserver' };
  if (labels.some((label) => label === '')) return { kind: 'other' };

  const namespace = labels[n - 2];
  if (tail === 'pod') {
    if (n === 2) return { kind: 'namespace', namespace, under: 'pod' };
    if (n === 3) return { kind: 'pod', namespace, label: labels[0], ip: parseDashedIp(labels[0]) };
    return { kind: 'other' };
  }
  if (tail !== 'svc') return { kind: 'other' };
  if (n === 2) return { kind: 'namespace', namespace, under: 'svc' };
  const service = labels[n - 3];
  if (n === 3) return { kind: 'service', namespace, service };
  if (n === 4) return { kind: 'endpoint', namespace, service, endpoint: labels[0] };
  if (n === 5 && labels[0].length > 1 && labels[1].length > 1 && labels[0][0] === '_' && labels[1][0] === '_') {
    return { kind: 'port', namespace, service, port: labels[0].slice(1), protocol: labels[1].slice(1) };
  }
  return { kind: 'other' };
}
