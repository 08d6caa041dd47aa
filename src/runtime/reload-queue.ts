// Debounced reloads, one at a time, for the file watchers (manifests, zone files).
//
// A reload runs `debounceMs` after the first change of a burst, not after the last: an editor's write + rename
// lands in one reload, yet a file rewritten every 10 ms is still reloaded every `debounceMs` (restarting the
// timer on each event would postpone the reload for as long as the writes go on). Items changed while a reload
// runs go in the next round.
export class ReloadQueue<T> {
  private readonly pending = new Set<T>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly debounceMs: number,
    /** Reloads a round's items; a rejection goes to `onError` and the queue carries on. */
    private readonly run: (items: T[]) => Promise<void>,
    private readonly onError: (err: unknown) => void,
    /** After every round, successful or not. */
    private readonly afterRound: () => void = () => {},
  ) {}

  schedule(item: T): void {
    if (this.closed) return;
    this.pending.add(item);
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.debounceMs);
  }

  /** Drops what is pending and waits for the round in flight; no timer stays. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    await this.running;
  }

  private flush(): void {
    if (this.closed || this.running !== undefined || this.pending.size === 0) return;
    const items = [...this.pending];
    this.pending.clear();
    this.running = this.run(items)
      .catch(this.onError)
      .finally(() => {
        this.running = undefined;
        if (!this.closed) this.afterRound();
        if (this.pending.size > 0) this.flush();
      });
  }
}
