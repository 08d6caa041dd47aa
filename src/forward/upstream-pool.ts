// The upstreams of one forwarded domain, as CoreDNS's forward plugin (plugin/forward/forward.go): a policy
// orders them per query, a try that fails moves to the next, upstreams marked down are passed over unless
// all are down; a cap on distinct questions in flight (`max_concurrent`) past which new ones fail at once;
// identical questions in flight go upstream once and share the reply.
import { EventEmitter, setMaxListeners } from 'node:events';
import type { Message } from '../wire/message.js';
import { DEFAULT_TRY_TIMEOUT_MS, type UpstreamQuestion } from './exchange.js';
import { createForwardStats, type ForwardStats } from './forward-stats.js';
import { DEFAULT_EXPIRE_MS } from './tcp-connections.js';
import type { UpstreamAddress } from './upstream-address.js';
import { Upstream } from './upstream.js';

export type UpstreamPolicy = 'random' | 'round_robin' | 'sequential';

export interface UpstreamPoolOptions {
  upstreams: UpstreamAddress[];
  /** CoreDNS `policy`; default random. */
  policy?: UpstreamPolicy;
  /** Per try; default 2 s. */
  timeoutMs?: number;
  /** CoreDNS `max_fails`; default 2; 0 never marks an upstream down. */
  maxFails?: number;
  /** CoreDNS `health_check`; default 0.5 s. */
  healthCheckIntervalMs?: number;
  /** CoreDNS `max_concurrent`; default 1000. */
  maxConcurrent?: number;
  forceTcp?: boolean;
  /** CoreDNS `expire`: a TCP connection to an upstream idle this long is closed; default 10 s. */
  expireMs?: number;
  /** Shared by every pool of a server, so metrics see one set of counters. */
  stats?: ForwardStats;
}

export type PoolResult =
  | { ok: true; message: Message; upstream: string }
  /** Every upstream tried failed (timeouts, refused connections, replies that do not parse). */
  | { ok: false; failure: 'unreachable'; detail: string }
  /** Past `maxConcurrent`: not sent at all. */
  | { ok: false; failure: 'rejected'; detail: string };

export const DEFAULT_MAX_CONCURRENT = 1000;

/** Events: 'down' and 'up' with the Upstream whose health changed. */
export class UpstreamPool extends EventEmitter {
  readonly upstreams: readonly Upstream[];
  readonly stats: ForwardStats;
  private readonly policy: UpstreamPolicy;
  private readonly maxConcurrent: number;
  private readonly inFlightQuestions = new Map<string, Promise<PoolResult>>();
  private readonly aborter = new AbortController();
  private nextStart = 0;

  constructor(options: UpstreamPoolOptions) {
    super();
    if (options.upstreams.length === 0) throw new Error('an upstream pool needs at least one upstream');
    this.stats = options.stats ?? createForwardStats();
    this.policy = options.policy ?? 'random';
    this.maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
    setMaxListeners(0, this.aborter.signal); // one listener per exchange in flight, up to maxConcurrent
    const settings = {
      timeoutMs: options.timeoutMs ?? DEFAULT_TRY_TIMEOUT_MS,
      maxFails: options.maxFails ?? 2,
      healthCheckIntervalMs: options.healthCheckIntervalMs ?? 500,
      forceTcp: options.forceTcp ?? false,
      expireMs: options.expireMs ?? DEFAULT_EXPIRE_MS,
      stats: this.stats,
      signal: this.aborter.signal,
      onHealthChange: (upstream: Upstream, down: boolean) => this.emit(down ? 'down' : 'up', upstream),
    };
    this.upstreams = options.upstreams.map((address) => new Upstream(address, settings));
  }

  /** Distinct questions waiting for an upstream now. */
  get inFlight(): number {
    return this.inFlightQuestions.size;
  }

  /** Forwards a question (joining an identical one in flight); never rejects. */
  query(question: UpstreamQuestion): Promise<PoolResult> {
    const key = `${question.type}/${question.class}/${question.dnssecOk ? 1 : 0}/${question.name}`;
    const pending = this.inFlightQuestions.get(key);
    if (pending) return pending;
    if (this.aborter.signal.aborted) return Promise.resolve({ ok: false, failure: 'unreachable', detail: 'the forwarder was closed' });
    if (this.inFlightQuestions.size >= this.maxConcurrent) {
      this.stats.maxConcurrentRejects++;
      return Promise.resolve({ ok: false, failure: 'rejected', detail: `more than ${this.maxConcurrent} questions in flight` });
    }
    const result = this.tryInOrder(question).finally(() => this.inFlightQuestions.delete(key));
    this.inFlightQuestions.set(key, result);
    return result;
  }

  /** Stops health checks and ends every exchange in flight; leaves no timer or socket behind. */
  close(): void {
    this.aborter.abort();
    for (const upstream of this.upstreams) upstream.close();
  }

  private async tryInOrder(question: UpstreamQuestion): Promise<PoolResult> {
    const ordered = this.ordered();
    const healthy = ordered.filter((upstream) => !upstream.isDown);
    const failures: string[] = [];
    for (const upstream of healthy.length > 0 ? healthy : ordered) {
      const result = await upstream.query(question);
      if (result.ok) return { ok: true, message: result.message, upstream: upstream.label };
      failures.push(`${upstream.label}: ${result.detail}`);
      if (this.aborter.signal.aborted) break;
    }
    return { ok: false, failure: 'unreachable', detail: failures.join('; ') };
  }

  private ordered(): Upstream[] {
    const list = this.upstreams.slice();
    if (list.length === 1 || this.policy === 'sequential') return list;
    if (this.policy === 'round_robin') {
      const start = this.nextStart++ % list.length;
      return list.slice(start).concat(list.slice(0, start));
    }
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [list[i], list[j]] = [list[j], list[i]];
    }
    return list;
  }
}
