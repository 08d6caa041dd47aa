// A property that did not hold, with what reproduces it: the target, the run's seed and the iteration (each
// iteration draws from its own generator, Prng.forIteration), and the input itself.

export class FuzzFailure extends Error {
  constructor(
    readonly property: string,
    readonly detail: string,
    /** The input, as hex for bytes or as JSON-quoted text for files. */
    readonly input: string,
  ) {
    super(`${property}: ${detail}`);
    this.name = 'FuzzFailure';
  }
}

/** The first line of an unexpected exception, with its class. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.constructor.name}: ${err.message}\n${err.stack?.split('\n').slice(1, 6).join('\n') ?? ''}`;
  return `non-Error thrown: ${String(err)}`;
}

/**
 * Runs `work` and measures it with process.hrtime; a run over `budgetMs` is run once more and fails only if
 * slow again, since a hang repeats and a GC pause or a preempted core on a shared machine does not.
 */
export function withinBudget<T>(budgetMs: number, work: () => T, onSlow: (ms: number) => never): T {
  let result: T;
  for (let attempt = 0; ; attempt++) {
    const started = process.hrtime.bigint();
    result = work();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (ms <= budgetMs) return result;
    if (attempt === 1) onSlow(ms);
  }
}

export async function withinBudgetAsync<T>(budgetMs: number, work: () => Promise<T>, onSlow: (ms: number) => never): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const started = process.hrtime.bigint();
    const result = await work();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (ms <= budgetMs) return result;
    if (attempt === 1) onSlow(ms);
  }
}

/** A value with every byte array as hex, for comparing decoded messages (Buffer and Uint8Array alike). */
export function canonical(value: unknown): unknown {
  if (value instanceof Uint8Array) return `hex:${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = canonical((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
