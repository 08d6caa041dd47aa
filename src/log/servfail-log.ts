// CoreDNS `errors`: every SERVFAIL is logged with its cause, but at most once per distinct cause per interval
// (as `errors { consolidate }` does), so a failing upstream under load writes a line every few seconds, not one
// per query. The next line of a cause says how many were left out since the last one.
import type { Logger } from 'pino';
import { absolute, typeName } from '../wire/presentation.js';

/** Distinct causes remembered at once; past it, a new cause waits until an old one's interval ends. */
const MAX_CAUSES = 1000;
export const SERVFAIL_LOG_INTERVAL_MS = 10_000;

export class ServfailLog {
  private readonly causes = new Map<string, { until: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = SERVFAIL_LOG_INTERVAL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  report(cause: string, qname: string, qtype: number, err?: unknown): void {
    const now = this.now();
    const known = this.causes.get(cause);
    if (known !== undefined && now < known.until) {
      known.suppressed++;
      return;
    }
    if (known === undefined && this.causes.size >= MAX_CAUSES && !this.forgetExpired(now)) return;
    this.causes.set(cause, { until: now + this.intervalMs, suppressed: 0 });
    const suppressed = known?.suppressed ?? 0;
    this.logger.error(
      { rcode: 'SERVFAIL', qname, qtype: typeName(qtype), cause, ...(suppressed > 0 ? { suppressed } : {}), ...(err === undefined ? {} : { err }) },
      `2 ${absolute(qname)} ${typeName(qtype)}: ${cause}`,
    );
  }

  private forgetExpired(now: number): boolean {
    for (const [cause, entry] of this.causes) if (now >= entry.until) this.causes.delete(cause);
    return this.causes.size < MAX_CAUSES;
  }
}
