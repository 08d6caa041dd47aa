// One watch request through client-node 1.4.0's `Watch`, made safe to drive from a reflector:
// - `abort()` works at any moment. Watch only hands out its AbortController once the response headers have
//   arrived, so a request the server never answers could not be cancelled; we capture the per-request agent
//   Watch gets from the KubeConfig and destroy its sockets instead.
// - Every outcome is reported exactly once through `onEnd`, never as a thrown error or rejection: a clean
//   end, an ERROR event (410 Gone included), a non-200 status, a network error. Nothing fires after
//   `abort()`.
// - The line callback is wrapped: Watch swallows exceptions thrown by it (its try/catch around JSON.parse
//   also covers the callback), so the caller's errors are caught and reported here instead.
import type { Agent } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
// dist/watch.js, not the package index: the index loads every generated API client (kube-config-module.ts).
import { Watch } from '@kubernetes/client-node/dist/watch.js';
import type { Query } from './api-request.js';

export type WatchEnd =
  /** The server ended the stream (timeoutSeconds, apiserver restart, proxy idle close). */
  | { kind: 'closed' }
  /** 410 Gone: the resourceVersion is too old; relist. */
  | { kind: 'gone'; message: string }
  /** Network error, non-200 status, ERROR event other than 410, or an exception from onEvent. */
  | { kind: 'error'; error: Error; statusCode?: number };

export interface WatchCallbacks {
  /** The server answered 200: the watch is established. */
  onConnected(): void;
  /** One event (not ERROR, which ends the watch). Exceptions end the watch with kind 'error'. */
  onEvent(type: string, object: Record<string, unknown>): void;
  onEnd(end: WatchEnd): void;
}

export interface WatchHandle {
  abort(): void;
}

export function startWatch(kubeConfig: KubeConfig, path: string, query: Query, callbacks: WatchCallbacks): WatchHandle {
  let ended = false;
  let controller: AbortController | undefined;
  let agent: Agent | undefined;

  // A view of the KubeConfig that remembers the agent Watch creates for this one request.
  const capturing = Object.create(kubeConfig) as KubeConfig;
  capturing.applyToFetchOptions = async (opts) => {
    const init = await kubeConfig.applyToFetchOptions(opts);
    agent = init.agent as Agent | undefined;
    if (ended) agent?.destroy();
    return init;
  };

  const cancel = (): void => {
    if (controller) controller.abort();
    else agent?.destroy();
  };
  const end = (result: WatchEnd): void => {
    if (ended) return;
    ended = true;
    cancel();
    callbacks.onEnd(result);
  };

  const onLine = (type: string, object: unknown): void => {
    if (ended) return;
    try {
      if (type === 'ERROR') {
        const status = (object ?? {}) as Record<string, unknown>;
        const code = typeof status.code === 'number' ? status.code : undefined;
        const message = typeof status.message === 'string' ? status.message : 'watch ERROR event';
        if (code === 410) end({ kind: 'gone', message });
        else end({ kind: 'error', error: new Error(`watch ${path}: ${message}`), statusCode: code });
        return;
      }
      if (typeof object !== 'object' || object === null) return;
      callbacks.onEvent(type, object as Record<string, unknown>);
    } catch (err) {
      end({ kind: 'error', error: err instanceof Error ? err : new Error(String(err)) });
    }
  };

  const onDone = (err: unknown): void => {
    if (ended) return;
    if (err === null || err === undefined) return end({ kind: 'closed' });
    const statusCode = (err as { statusCode?: unknown }).statusCode;
    if (statusCode === 410) return end({ kind: 'gone', message: (err as Error).message });
    const error = err instanceof Error ? err : new Error(String(err));
    end({ kind: 'error', error, statusCode: typeof statusCode === 'number' ? statusCode : undefined });
  };

  let watchPromise: Promise<AbortController>;
  try {
    watchPromise = new Watch(capturing).watch(path, query, onLine, onDone);
  } catch (err) {
    // Not expected (watch() is async), but a synchronous throw must not escape either.
    queueMicrotask(() => onDone(err));
    return { abort: () => end({ kind: 'closed' }) };
  }
  watchPromise.then(
    (c) => {
      controller = c;
      if (ended) c.abort();
      else {
        try {
          callbacks.onConnected();
        } catch (err) {
          end({ kind: 'error', error: err instanceof Error ? err : new Error(String(err)) });
        }
      }
    },
    (err: unknown) => onDone(err ?? new Error('watch failed')),
  );

  return {
    abort: () => {
      if (ended) return;
      ended = true;
      cancel();
    },
  };
}
