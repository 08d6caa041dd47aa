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

  /** Every record of every owner (or of those given), as sorted, de-duplicated zone-file lines. */
  lines(...owners: string[]): string[] {
    const chosen = owners.length > 0 ? owners : [...this.owners.keys()];
    const out = new Set<string>();
    for (const owner of chosen) for (const rr of this.owners.get(owner)?.records ?? []) out.add(formatRecord(rr));
    return [...out].sort();
  }

  names(owner: string): string[] {
    return [...(this.owners.get(owner)?.names ?? [])].sort();
  }

  /** Owners touched (set, or deleted while they held something) since the last reset. */
  touched(): string[] {
    return [...this.setOwner.mock.calls.map((c) => c[0]), ...this.deleted].sort();
  }

  reset(): void {
    this.setOwner.mockClear();
    this.deleteOwner.mockClear();
    this.deleted.length = 0;
    this.batch.mockClear();
  }
}

export interface FakeLogger {
  logger: Logger;
  info: ReturnType<typeof vi.fn>;
  warn: ReturnType<typeof vi.fn>;
  error: ReturnType<typeof vi.fn>;
}

export function fakeLogger(): FakeLogger {
  const info = vi.fn();
  const warn = vi.fn();
  const error = vi.fn();
  const logger = { info, warn, error, debug: vi.fn(), trace: vi.fn(), fatal: vi.fn() } as unknown as Logger;
  return { logger, info, warn, error };
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
