// Knot DNS as a reference server (and as clusterdns-cache's upstream): one UDP and one TCP worker on a
// 127.0.0.1 high port, zones loaded whole from their files, nothing written back.

export interface ZoneSource {
  domain: string;
  file: string;
}

/** knot.conf for a server whose run directory is `dir`. */
export function knotConfig(dir: string, port: number, zones: readonly ZoneSource[]): string {
  const zoneLines = zones.map((z) => `  - domain: ${z.domain}\n    file: "${z.file}"\n`).join('');
  return `server:
    rundir: "${dir}"
    pidfile: "${dir}/knot.pid"
    listen: 127.0.0.1@${port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
control:
    listen: "${dir}/knot.sock"
log:
  - target: stderr
    any: warning
database:
    storage: "${dir}/db"
template:
  - id: default
    storage: "${dir}"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
${zoneLines}`;
}
