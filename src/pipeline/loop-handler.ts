// CoreDNS `loop` (plugin/loop): recognises the probe that loop detection sends through the forwarder when it
// arrives back at this very server. Placed first in the chain; costs one size check per query while no probe
// is outstanding. A probe that arrives is answered SERVFAIL at once, so the loop ends after one turn instead of
// bouncing until every hop times out.
import { PROBE_TYPE, type LoopProbes } from '../forward/loop-detection.js';
import { RCode } from '../wire/types.js';
import type { DnsRequest, Handler, HandlerResult } from './handler.js';

const SKIP: HandlerResult = Object.freeze({ kind: 'skip' });
const SERVFAIL: HandlerResult = Object.freeze({ kind: 'error', rcode: RCode.SERVFAIL, cause: 'loop: our own loop-detection probe came back' });

export class LoopHandler implements Handler, LoopProbes {
  readonly name = 'loop';
  /** Probe name (lowercase) → times it arrived here. */
  private readonly probes = new Map<string, number>();

  handle(request: DnsRequest): HandlerResult {
    if (this.probes.size === 0) return SKIP;
    const { qname, qtype } = request.query;
    const seen = this.probes.get(qname);
    if (seen === undefined || qtype !== PROBE_TYPE) return SKIP;
    this.probes.set(qname, seen + 1);
    return SERVFAIL;
  }

  expect(name: string): void {
    this.probes.set(name, 0);
  }

  timesSeen(name: string): number {
    return this.probes.get(name) ?? 0;
  }

  forget(name: string): void {
    this.probes.delete(name);
  }
}
