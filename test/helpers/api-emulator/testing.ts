// Small test utilities for watch tests: a pino logger whose lines can be inspected, and bounded waits.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface CapturedLogger {
  logger: Logger;
  lines: LogLine[];
  /** Lines whose msg contains `text`. */
  matching(text: string): LogLine[];
}

/** A pino logger writing parsed JSON lines into an array (synchronously). */
export function captureLogger(level: pino.Level = 'debug'): CapturedLogger {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const text of chunk.toString('utf8').split('\n')) {
        if (text.trim() !== '') lines.push(JSON.parse(text) as LogLine);
      }
      callback();
    },
  });
  const logger = pino({ level, base: undefined, timestamp: false }, stream);
  return { logger, lines, matching: (text) => lines.filter((l) => l.msg.includes(text)) };
}

/**
 * Poll `predicate` until it returns a truthy value, at most `timeoutMs`; returns that value. For state with
 * no event to await (index contents); the poll interval is short and the deadline always bounds it.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      throw new Error(`waitFor${options.what ? ` (${options.what})` : ''}: not true within ${timeoutMs} ms (last: ${String(last)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 5));
  }
}

/** Resolve on the first `event` emitted by `emitter`; reject after `timeoutMs`. */
export function nextEvent<T = unknown>(
  emitter: { once(event: string, listener: (arg: T) => void): unknown; off(event: string, listener: (arg: T) => void): unknown },
  event: string,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const listener = (arg: T): void => {
      clearTimeout(timer);
      resolve(arg);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.once(event, listener);
  });
}
