// A RecordSink that remembers what each owner published, for asserting on the store's output and on
// which owners a change touched. Records come back as sorted zone-file lines.
import type { Logger } from 'pino';
import { vi } from 'vitest';
import type { RecordSink } from '../../../src/cluster/cluster-store.js';
import { formatRecord } from '../../../src/wire/presentation.js';
import type { ResourceRecord } from '../../../src/wire/types.js';

export class FakeIndex implements RecordSink {
  readonly owners = new Map<string, { records: ResourceRecord[]; names: string[] }>();
  readonly setOwner = vi.fn((owner: string, records: ResourceRecord[], names: string[] = []) => {
    this.owners.set(owner, { records, names });
  });
  /** Owners that held something when deleted: deleting an unknown owner is a no-op (RecordSink's contract). */
  private readonly deleted: string[] = [];
  readonly deleteOwner = vi.fn((owner: string) => {
    if (this.owners.delete(owner)) this.deleted.push(owner);
  });
  readonly batch = vi.fn((fn: () => void) => fn());

  /**
   * Every record of every owner (or of those given), as sorted, de-duplicated zone-file lines. A Service's
   * owner includes its EndpointSlices' owners (`svc:<ns>/<name>#<slice>`).
   */
  lines(...owners: string[]): string[] {
    const chosen = owners.length > 0 ? [...this.owners.keys()].filter((o) => owners.includes(serviceOf(o))) : [...this.owners.keys()];
    const out = new Set<string>();
    for (const owner of chosen) for (const rr of this.owners.get(owner)?.records ?? []) out.add(formatRecord(rr));
    return [...out].sort();
  }

  names(owner: string): string[] {
    return [...(this.owners.get(owner)?.names ?? [])].sort();
  }

  /** True when the owner, or for a Service one of its slices, holds something. */
  holds(owner: string): boolean {
    return [...this.owners.keys()].some((o) => serviceOf(o) === owner);
  }

  /** Owners touched (set, or deleted while they held something) since the last reset; slices count as their Service. */
  touched(): string[] {
    return [...new Set([...this.setOwner.mock.calls.map((c) => c[0]), ...this.deleted].map(serviceOf))].sort();
  }

  /** Owners (slices apart) touched since the last reset, for asserting that a change left the other slices alone. */
  touchedExactly(): string[] {
    return [...new Set([...this.setOwner.mock.calls.map((c) => c[0]), ...this.deleted])].sort();
  }

  reset(): void {
    this.setOwner.mockClear();
    this.deleteOwner.mockClear();
    this.deleted.length = 0;
    this.batch.mockClear();
  }
}

/** The Service owner an EndpointSlice owner (`svc:<ns>/<name>#<slice>`) belongs to; other owners as they are. */
export function serviceOf(owner: string): string {
  const hash = owner.indexOf('#');
  return hash === -1 ? owner : owner.slice(0, hash);
}

type LogLevel = 'info' | 'warn' | 'error' | 'debug';

export interface FakeLogger {
  logger: Logger;
  info: ReturnType<typeof vi.fn>;
  warn: ReturnType<typeof vi.fn>;
  error: ReturnType<typeof vi.fn>;
  debug: ReturnType<typeof vi.fn>;
  /**
   * The fields of the next `level` call with `message` (and matching `fields`, when given) made after this
   * call: a test awaits what the code under test reports instead of sleeping. Rejects after `timeoutMs`.
   */
  next(level: LogLevel, message: string, fields?: (fields: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export function fakeLogger(): FakeLogger {
  const waiters = new Set<(level: LogLevel, fields: unknown, message: unknown) => void>();
  const level = (name: LogLevel) => vi.fn((fields: unknown, message: unknown) => {
    for (const waiter of waiters) waiter(name, fields, message);
  });
  const info = level('info');
  const warn = level('warn');
  const error = level('error');
  const debug = level('debug');
  const logger = { info, warn, error, debug, trace: vi.fn(), fatal: vi.fn() } as unknown as Logger;
  const next: FakeLogger['next'] = (wanted, message, match = () => true, timeoutMs = 5000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`no ${wanted} log "${message}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (name: LogLevel, fields: unknown, logged: unknown) => {
        const record = (fields ?? {}) as Record<string, unknown>;
        if (name !== wanted || logged !== message || !match(record)) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(record);
      };
      waiters.add(waiter);
    });
  return { logger, info, warn, error, debug, next };
}

export function sortedLines(records: ResourceRecord[]): string[] {
  return [...new Set(records.map(formatRecord))].sort();
}

/** Template literal → trimmed, non-empty, sorted lines. */
export function zone(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter((line) => line !== '' && !line.startsWith(';'))
    .sort();
}
