// Tells the workers of a multi-core CLI (`--workers 2`) apart by the per-worker request gauge of /metrics
// (clusterdns_worker_requests{worker, pid, proto}), to prove each of them answered.
import { expect } from 'vitest';
import { dig } from './dig.js';
import type { RunningCli } from './spawn-cli.js';

export interface WorkerRequests {
  pid: number;
  udp: number;
  tcp: number;
}

/** Helpers bound to one running multi-core CLI and its /metrics address. */
export function workersOf(cli: () => RunningCli, metricsUrl: () => string) {
  const metrics = async () => (await fetch(metricsUrl())).text();
  /** Worker slot → the requests its current process received (from /metrics). */
  const perWorker = async (): Promise<Map<string, WorkerRequests>> => {
    const workers = new Map<string, WorkerRequests>();
    for (const match of (await metrics()).matchAll(/^clusterdns_worker_requests\{worker="(\d+)",pid="(\d+)",proto="(udp|tcp)"\} (\d+)$/gm)) {
      const entry = workers.get(match[1]) ?? { pid: Number(match[2]), udp: 0, tcp: 0 };
      entry[match[3] as 'udp' | 'tcp'] = Number(match[4]);
      workers.set(match[1], entry);
    }
    return workers;
  };
  /**
   * Ask `name` over UDP and TCP, ten at a time, until every worker has answered at least one query of each
   * transport since `before` (the kernel picks the UDP reader and the worker that accepts each TCP connection),
   * at most 30 rounds. Returns every answer seen. `port`: another listener of the same CLI (a server block's).
   */
  const queryEveryWorker = async (name: string, before: Map<string, WorkerRequests>, port?: number) => {
    const answers: string[][] = [];
    let after = before;
    const servedByAll = () =>
      after.size === 2 &&
      [...after].every(([slot, now]) => {
        const then = before.get(slot);
        const sameProcess = then !== undefined && then.pid === now.pid;
        return now.udp > (sameProcess ? then.udp : 0) && now.tcp > (sameProcess ? then.tcp : 0);
      });
    for (let round = 0; round < 30 && (round < 2 || !servedByAll()); round++) {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => dig(port ?? cli().port, i % 2 === 0 ? '+notcp' : '+tcp', name)));
      answers.push(...results.map((result) => result.answer));
      after = await perWorker();
    }
    expect(servedByAll(), `every worker answered over UDP and TCP: ${JSON.stringify([...before])} → ${JSON.stringify([...after])}`).toBe(true);
    return answers;
  };
  return { metrics, perWorker, queryEveryWorker };
}

