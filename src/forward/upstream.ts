// One upstream server and its health, as CoreDNS's proxy (plugin/forward/proxy.go, health.go): after
// `maxFails` consecutive failed queries it is down, and a background check asks it `. IN NS` (a priming query,
// RFC 8109 3) every interval until it answers; any reply at all, whatever its rcode, means it is up again.
import { performance } from 'node:perf_hooks';
import { RRClass, RRType } from '../wire/types.js';
import { exchange, type ExchangeResult, type UpstreamQuestion } from './exchange.js';
import { countHealthcheckFailure, countRequest, countResponse, type ForwardStats } from './forward-stats.js';
import { TcpConnections } from './tcp-connections.js';
import { formatUpstream, type UpstreamAddress } from './upstream-address.js';

export interface UpstreamSettings {
  /** Per try; default 2 s. */
  timeoutMs: number;
  /** Consecutive failures that mark the upstream down; 0 never does (CoreDNS `max_fails`). */
  maxFails: number;
  /** How often a down upstream is checked (CoreDNS `health_check`). */
  healthCheckIntervalMs: number;
  forceTcp: boolean;
  /** How long a TCP connection to the upstream is kept idle (CoreDNS `expire`). */
  expireMs: number;
  stats: ForwardStats;
  /** Told when the upstream goes down (true) or comes back (false). */
  onHealthChange: (upstream: Upstream, down: boolean) => void;
  signal: AbortSignal;
}

const PRIMING_QUESTION: UpstreamQuestion = { name: '', type: RRType.NS, class: RRClass.IN, dnssecOk: false, checkingDisabled: false };

export class Upstream {
  /** `host:port`, the `to` label of the forward metrics. */
  readonly label: string;
  private consecutiveFails = 0;
  private down = false;
  private healthTimer: NodeJS.Timeout | null = null;
  private checking = false;
  /** Connections kept open for the questions that go over TCP. */
  readonly tcp: TcpConnections;

  constructor(
    readonly address: UpstreamAddress,
    private readonly settings: UpstreamSettings,
  ) {
    this.label = formatUpstream(address);
    this.tcp = new TcpConnections({
      host: address.host,
      port: address.port,
      expireMs: settings.expireMs,
      signal: settings.signal,
      onStray: () => settings.stats.mismatchedReplies++,
    });
  }

  get isDown(): boolean {
    return this.down;
  }

  /** Whether background health checks are scheduled (only while down, and never after close). */
  get healthChecking(): boolean {
    return this.healthTimer !== null;
  }

  /** Forwards one question; counts it and its outcome. Never rejects. */
  async query(question: UpstreamQuestion): Promise<ExchangeResult> {
    const { stats } = this.settings;
    countRequest(stats, this.label);
    const started = performance.now();
    const result = await exchange(this.address, question, this.exchangeOptions());
    if (result.ok) {
      countResponse(stats, this.label, result.message.rcode, (performance.now() - started) / 1000);
      this.succeeded();
    } else {
      this.failed();
    }
    return result;
  }

  /** Stops health checks; in-flight exchanges end through the shared abort signal. */
  close(): void {
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.healthTimer = null;
  }

  private exchangeOptions() {
    const { stats, timeoutMs, forceTcp, signal } = this.settings;
    return { timeoutMs, forceTcp, signal, tcp: this.tcp, onMismatch: () => stats.mismatchedReplies++ };
  }

  private succeeded(): void {
    this.consecutiveFails = 0;
    if (!this.down) return;
    this.down = false;
    this.close();
    this.settings.onHealthChange(this, false);
  }

  private failed(): void {
    if (this.settings.signal.aborted) return;
    this.consecutiveFails++;
    if (this.down || this.settings.maxFails === 0 || this.consecutiveFails < this.settings.maxFails) return;
    this.down = true;
    this.healthTimer = setInterval(() => this.check(), this.settings.healthCheckIntervalMs);
    this.healthTimer.unref(); // health checks never keep a process alive
    this.settings.onHealthChange(this, true);
  }

  private check(): void {
    if (this.checking || this.settings.signal.aborted) return;
    this.checking = true;
    void exchange(this.address, PRIMING_QUESTION, this.exchangeOptions()).then((result) => {
      this.checking = false;
      if (this.settings.signal.aborted) return;
      if (result.ok) this.succeeded();
      else countHealthcheckFailure(this.settings.stats, this.label);
    });
  }
}
