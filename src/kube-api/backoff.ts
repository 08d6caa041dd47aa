// Exponential backoff with jitter for reconnecting to the Kubernetes API (docs/architecture.md
// "Data sources"). Delay n (0-based) = min(maxMs, baseMs × factor^n), then jitter draws it from
// [delay × (1 − jitter), delay] so a fleet of replicas restarting together spreads out (client-go's
// wait.Backoff does the same with jitter added on top; drawing below keeps maxMs a true maximum).

export interface BackoffOptions {
  /** First delay in ms (default 800, as client-go's reflector). */
  baseMs?: number;
  /** Largest delay in ms (default 30 000). */
  maxMs?: number;
  /** Growth per failed attempt (default 2). */
  factor?: number;
  /** 0 = no jitter, 1 = anywhere in [0, delay] (default 0.5). */
  jitter?: number;
  /** Source of randomness in [0, 1) (tests pass a fixed one). */
  random?: () => number;
}

export const DEFAULT_BACKOFF: Required<Omit<BackoffOptions, 'random'>> = {
  baseMs: 800,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.5,
};

export class Backoff {
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private failures = 0;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = nonNegative(options.baseMs ?? DEFAULT_BACKOFF.baseMs, 'baseMs');
    this.maxMs = Math.max(this.baseMs, nonNegative(options.maxMs ?? DEFAULT_BACKOFF.maxMs, 'maxMs'));
    this.factor = Math.max(1, options.factor ?? DEFAULT_BACKOFF.factor);
    this.jitter = Math.min(1, Math.max(0, options.jitter ?? DEFAULT_BACKOFF.jitter));
    this.random = options.random ?? Math.random;
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.failures;
  }

  /** The delay before the next attempt; counts one more failure. */
  next(): number {
    // Cap the exponent so the power cannot overflow to Infinity after very many failures.
    const exponent = Math.min(this.failures, 64);
    this.failures++;
    const capped = Math.min(this.maxMs, this.baseMs * this.factor ** exponent);
    return Math.round(capped * (1 - this.jitter * this.random()));
  }

  /** Forget failures: the next delay is the base delay again. */
  reset(): void {
    this.failures = 0;
  }
}

function nonNegative(value: number, what: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`backoff ${what} must be a finite number ≥ 0`);
  return value;
}
