// The process log: pino JSON lines on stdout (docs/architecture.md "Logging"), or a compact human format.
// Per-query logging is off unless --log-queries asks for it: an enabled line costs about as much as answering a query.
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export type LogFormat = 'json' | 'pretty';
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  format?: LogFormat;
  level?: LogLevel;
  /** Where lines go; stdout by default. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stdout;
  const level = options.level ?? 'info';
  if (options.format === 'pretty') return pino({ level, base: undefined }, prettyStream(destination));
  return pino({ level, base: { pid: process.pid } }, destination as pino.DestinationStream);
}

/** A logger that writes nothing (tests, embedding). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const OMITTED = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/** `12:00:01.234 INFO  listening transport=udp address=127.0.0.1:1053` — one line per record. */
export function formatPretty(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof record.time === 'number' ? clock(new Date(record.time)) : '';
  const level = LEVEL_NAMES[record.level as number] ?? String(record.level);
  const fields = Object.entries(record)
    .filter(([key]) => !OMITTED.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [time, level, String(record.msg ?? ''), ...fields].filter((part) => part !== '').join(' ');
}

/** Local wall-clock time as HH:MM:SS.mmm. */
function clock(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

function prettyStream(destination: NodeJS.WritableStream): pino.DestinationStream {
  let partial = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line !== '') destination.write(`${formatPretty(line)}\n`);
      done();
    },
  });
}
