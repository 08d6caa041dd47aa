// What each name may answer, over time. A change is applied to the API at a known moment; until it is
// programmed the server may still give the state before it. So an answer is right when it equals a state that
// was current at some moment between (query sent − the programming delay) and (reply received): the state
// before or after a change, never anything else.
export interface Expectation {
  rcode: number;
  /** The A records' addresses, sorted. */
  addresses: string[];
}

interface State {
  /** performance.now() when this state was applied to the API. */
  from: number;
  expectation: Expectation;
}

export const NXDOMAIN: Expectation = { rcode: 3, addresses: [] };

export function addresses(...list: string[]): Expectation {
  return { rcode: 0, addresses: [...list].sort() };
}

export class ExpectedAnswers {
  private readonly states = new Map<string, State[]>();

  /** `programmingDelayMs`: the longest an applied change may take to be served. `keepMs`: history kept past it. */
  constructor(
    readonly programmingDelayMs: number,
    private readonly keepMs: number,
  ) {}

  /** `name` answers `expectation` from `at` on. */
  set(name: string, expectation: Expectation, at = performance.now()): void {
    const history = this.states.get(name);
    if (!history) {
      this.states.set(name, [{ from: at, expectation }]);
      return;
    }
    history.push({ from: at, expectation });
    // Drop states that no query still in flight can be answered from (bounded history per name).
    while (history.length > 1 && history[1].from + this.programmingDelayMs + this.keepMs < at) history.shift();
  }

  has(name: string): boolean {
    return this.states.has(name);
  }

  current(name: string): Expectation | undefined {
    const history = this.states.get(name);
    return history?.[history.length - 1].expectation;
  }

  /** The expectations a reply received at `receivedAt` to a query sent at `sentAt` may equal. */
  acceptable(name: string, sentAt: number, receivedAt: number): Expectation[] {
    const history = this.states.get(name) ?? [];
    const out: Expectation[] = [];
    for (let i = 0; i < history.length; i++) {
      const next = history[i + 1];
      if (history[i].from > receivedAt) break;
      if (next === undefined || next.from + this.programmingDelayMs >= sentAt) out.push(history[i].expectation);
    }
    return out;
  }
}

export function sameExpectation(a: Expectation, b: Expectation): boolean {
  return a.rcode === b.rcode && a.addresses.length === b.addresses.length && a.addresses.every((address, i) => address === b.addresses[i]);
}

export function describeExpectation(e: Expectation): string {
  return e.rcode === 0 ? `NOERROR [${e.addresses.join(' ')}]` : e.rcode === 3 ? 'NXDOMAIN' : `rcode ${e.rcode} [${e.addresses.join(' ')}]`;
}
