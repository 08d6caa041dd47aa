// Forwarding-loop detection, as CoreDNS `loop` (plugin/loop): once the server listens, a query for a random
// name `<random>.<random>.` type HINFO is sent to each upstream of the default pool. No real resolver can know
// that name; if it reaches our own server (the loop handler counts it), that upstream forwards back to us and
// every outside name would circle until it timed out. The classic case is a node whose resolv.conf names
// 127.0.0.53 (systemd-resolved) or clusterdns itself as its name server.
import { randomBytes } from 'node:crypto';
import { RRClass } from '../wire/types.js';
import type { UpstreamPool } from './upstream-pool.js';

/** HINFO (RFC 1035 3.3.2), the type CoreDNS's probe uses: nothing legitimately asks for it. */
export const PROBE_TYPE = 13;

/** What the loop handler offers detection: probes to watch for, and how often each arrived. */
export interface LoopProbes {
  expect(name: string): void;
  timesSeen(name: string): number;
  forget(name: string): void;
}

export interface ForwardingLoop {
  /** `host:port` of the upstream that sent the probe back. */
  upstream: string;
  probe: string;
}

export interface LoopReport {
  loops: ForwardingLoop[];
  /** What to tell the operator when there is a loop; empty otherwise. */
  message: string;
}

/** A label of 19 random decimal digits, like CoreDNS's strconv.Itoa(rand.Int()). */
function randomLabel(): string {
  return (randomBytes(8).readBigUInt64BE() % 10_000_000_000_000_000_000n).toString();
}

/** Probes every upstream of `pool`; resolves once each has answered or failed (bounded by the pool's timeouts). */
export async function detectForwardingLoop(pool: UpstreamPool, probes: LoopProbes): Promise<LoopReport> {
  const loops: ForwardingLoop[] = [];
  await Promise.all(
    pool.upstreams.map(async (upstream) => {
      const probe = `${randomLabel()}.${randomLabel()}`;
      probes.expect(probe);
      try {
        await upstream.query({ name: probe, type: PROBE_TYPE, class: RRClass.IN, dnssecOk: false, checkingDisabled: false });
        if (probes.timesSeen(probe) > 0) loops.push({ upstream: upstream.label, probe });
      } finally {
        probes.forget(probe);
      }
    }),
  );
  return { loops, message: loops.length === 0 ? '' : loopMessage(loops) };
}

function loopMessage(loops: ForwardingLoop[]): string {
  const which = loops.map((loop) => `${loop.upstream} (probe ${loop.probe}. HINFO)`).join(', ');
  return (
    `forwarding loop detected: a probe sent to upstream ${which} came back to this server, so that upstream ` +
    'forwards to clusterdns itself and every outside name would loop until it timed out. Forward to a resolver ' +
    'that does not send queries back here: if the upstreams came from a resolv.conf naming 127.0.0.53 ' +
    '(systemd-resolved) or this server, pass --resolv-conf /run/systemd/resolve/resolv.conf or --upstream ADDR.'
  );
}
