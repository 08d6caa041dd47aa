// NSD as a reference server: one server process, no rate limiting, minimal responses (as clusterdns and
// Knot answer), on a 127.0.0.1 high port with every file in `dir`.

export function nsdConfig(dir: string, port: number, zoneFile: string): string {
  return `server:
    ip-address: 127.0.0.1@${port}
    port: ${port}
    do-ip6: no
    server-count: 1
    reuseport: no
    username: ""
    chroot: ""
    zonesdir: "${dir}"
    database: ""
    zonelistfile: "${dir}/zone.list"
    xfrdfile: "${dir}/xfrd.state"
    xfrdir: "${dir}"
    pidfile: "${dir}/nsd.pid"
    logfile: "${dir}/nsd.log"
    verbosity: 0
    tcp-count: 512
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
    minimal-responses: yes
remote-control:
    control-enable: no
zone:
    name: cluster.local
    zonefile: "${zoneFile}"
`;
}
