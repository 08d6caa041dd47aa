// The rules `explain` cites, by the section of the Kubernetes DNS-Based Service Discovery specification 1.1.0
// (github.com/kubernetes/dns docs/specification.md) or, where the spec is silent, the CoreDNS behaviour followed.
const SPEC = 'Kubernetes DNS spec 1.1.0';

export const Rules = {
  schemaVersion: `${SPEC} §2.2 (schema version TXT at dns-version.<zone>)`,
  clusterIpAddress: `${SPEC} §2.3.1 (A/AAAA per ClusterIP at <service>.<ns>.svc.<zone>)`,
  clusterIpSrv: `${SPEC} §2.3.2 (SRV per named port, target the Service name)`,
  clusterIpPtr: `${SPEC} §2.3.3 (PTR from each ClusterIP to the Service name)`,
  headlessAddress: `${SPEC} §2.4.1 (A/AAAA per ready endpoint at the Service name)`,
  endpointAddress: `${SPEC} §2.4.1 (A/AAAA per ready endpoint at <hostname>.<service>.<ns>.svc.<zone>)`,
  headlessSrv: `${SPEC} §2.4.2 (SRV per named port and ready endpoint, target the endpoint name)`,
  headlessPtr: `${SPEC} §2.4.3 (PTR from each ready endpoint IP to its endpoint name)`,
  externalName: `${SPEC} §2.5.1 (CNAME to spec.externalName)`,
  notReady: `${SPEC} §2.4.1 (only ready endpoints are published; publishNotReadyAddresses publishes the rest)`,
  podRecord: 'CoreDNS kubernetes `pods verified` (A/AAAA at <dashed-ip>.<ns>.pod.<zone> for a Running pod; not in the spec)',
  podInsecure: 'CoreDNS kubernetes `pods insecure` (any dashed IP in an existing namespace; not in the spec)',
  zoneApex: 'RFC 1035 §3.3.13 / RFC 2308 §3 (the zone apex SOA, sent with negative answers)',
  zoneNs: 'RFC 1035 §3.3.11 (NS at the zone apex, as CoreDNS publishes ns.dns.<zone>)',
  nameserverAddress: 'CoreDNS kubernetes (ns.dns.<zone> answers the ClusterIPs of kube-system/kube-dns)',
  zoneFile: 'RFC 1035 §5 (a record of a zone file served authoritatively)',
  forwarded: 'RFC 1034 §5.3.3 (forwarded to an upstream resolver and relayed)',
  hosts: 'CoreDNS hosts (a hosts-file entry answered before the cluster)',
} as const;
