import { describe, expect, it } from 'vitest';
import { ReloadQueue } from '../../../src/runtime/reload-queue.js';

/** A queue whose rounds are recorded and held open until the test releases them. */
function recordingQueue(debounceMs = 5) {
  const rounds: string[][] = [];
  const releases: Array<() => void> = [];
  const started: Array<() => void> = [];
  const queue = new ReloadQueue<string>(
    debounceMs,
    (items) =>
      new Promise<void>((release) => {
        rounds.push(items);
        releases.push(release);
        started.shift()?.();
      }),
    () => {},
  );
  const nextRound = () => new Promise<void>((resolve) => started.push(resolve));
  return { queue, rounds, releases, nextRound };
}

describe('ReloadQueue', () => {
  it('collects a burst into one round, and runs changes made during a round in the next one, never two at once', async () => {
    const { queue, rounds, releases, nextRound } = recordingQueue();
    const first = nextRound();
    queue.schedule('a.yaml');
    queue.schedule('b.yaml');
    queue.schedule('a.yaml');
    await first;
    expect(rounds).toEqual([['a.yaml', 'b.yaml']]);

    const second = nextRound();
    queue.schedule('c.yaml'); // while the first round still runs
    await new Promise((resolve) => setTimeout(resolve, 20)); // past the debounce: held only by the running round
    expect(rounds).toHaveLength(1);
    releases[0]();
    await second;
    expect(rounds).toEqual([['a.yaml', 'b.yaml'], ['c.yaml']]);
    releases[1]();
    await queue.close();
  });

  it('close() drops what is pending and waits for the round in flight', async () => {
    const { queue, rounds, releases, nextRound } = recordingQueue();
    const first = nextRound();
    queue.schedule('a.yaml');
    await first;
    queue.schedule('b.yaml');
    let closed = false;
    const closing = queue.close().then(() => (closed = true));
    await Promise.resolve();
    expect(closed).toBe(false);
    releases[0]();
    await closing;
    expect(rounds).toEqual([['a.yaml']]);
    queue.schedule('c.yaml'); // ignored once closed
    expect(rounds).toEqual([['a.yaml']]);
  });
});
