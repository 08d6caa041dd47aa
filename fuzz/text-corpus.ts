// Seeds for the text targets: the repository's own zone files and Corefiles, and a few written here to reach
// every record type, directive and plugin option the parsers know.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, whether this runs from fuzz/ under vitest or from dist-fuzz/fuzz/ compiled. */
export function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'zones'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

function readSeeds(paths: readonly string[]): string[] {
  const root = repositoryRoot();
  return paths.map((path) => join(root, path)).filter((path) => existsSync(path)).map((path) => readFileSync(path, 'utf8'));
}

const EVERY_TYPE_ZONE = `$ORIGIN fuzz.test.
$TTL 1h
@ IN SOA ns.fuzz.test. admin\\.name.fuzz.test. ( 1 2h 30m 1w 1d )
@ NS ns
ns A 192.0.2.1
  AAAA 2001:db8::1
www 60 IN CNAME @
*.apps 300 A 192.0.2.7
mail MX 10 mx.example.com.
txt TXT "a \\"quoted\\" string" unquoted "\\065\\066" ""
_http._tcp SRV 0 100 80 www
caa CAA 0 issue "letsencrypt.org"
1.2.0.192.in-addr.arpa. PTR www
sub NS ns.sub
ns.sub A 192.0.2.99
generic TYPE65534 \\# 3 abcdef
esc\\.aped A 192.0.2.8
$INCLUDE inc.db sub
`;

const INCLUDED_ZONE = `$TTL 60
host A 192.0.2.50
alias CNAME host
`;

const COREFILE_SEEDS = [
  `(common) {
    errors
    log
}
cluster.local:1053 in-addr.arpa {
    import common
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods verified
        endpoint_pod_names
        ttl 5
        fallthrough in-addr.arpa
        ignore empty_service
    }
    hosts {
        192.0.2.1 host.example
        fallthrough
    }
    autopath @kubernetes
    forward . 127.0.0.1:5300 127.0.0.2 {
        except internal.example
        policy sequential
        max_concurrent 10
        force_tcp
        health_check 1s
        expire 30s
    }
    cache 30 {
        success 9984 30
        denial 9984 5
        prefetch 10 1m 10%
        serve_stale 1h
    }
    file /zones/example.db example.internal
    reload 2s
    loadbalance round_robin
    health :8080 { lameduck 5s }
    ready :8181
    prometheus 127.0.0.1:9153
    loop
}
`,
  `.:53 {
    kubernetes {$ZONE}
    forward . {env.UPSTREAM} "127.0.0.1:53"
}
consul.local:53 {
    errors
    cache 30
    forward . 10.150.0.1
}
dns://stub.example:53 {
    forward . 127.0.0.1:5353
}
`,
  `import snippets.conf
. {
  import shared
  kubernetes cluster.local
}
`,
];

const SNIPPETS = `(shared) {
  cache 10
  forward . 127.0.0.1
}
`;

export function zoneSeeds(): { seeds: string[]; included: string } {
  return { seeds: [...readSeeds(['zones/example.internal.db', 'examples/upstream/example.com.db']), EVERY_TYPE_ZONE, INCLUDED_ZONE], included: INCLUDED_ZONE };
}

export function corefileSeeds(): { seeds: string[]; snippets: string } {
  return { seeds: [...readSeeds(['test/fixtures/corefile/kubeadm.Corefile', 'examples/Corefile']), ...COREFILE_SEEDS, SNIPPETS], snippets: SNIPPETS };
}
