// The endpoint entries of one large Service, per EndpointSlice, with the Service-wide counts its SRV
// weights need (record-builder.ts EndpointCounts), kept up to date in O(one slice) per slice change.
import type { ServiceInfo } from './objects.js';
import { endpointEntryKey, endpointPortGroup, type EndpointEntry } from './record-builder.js';

/**
 * What the store published for one Service's endpoints: each slice's entries, and how many slices list each
 * entry, so the Service-wide counts behind the SRV weights follow a slice change in O(that slice).
 */
export class ServiceEndpoints {
  readonly entries = new Map<string, EndpointEntry[]>();
  private readonly refs = new Map<string, number>();
  /** Distinct entries: all, per named port, per label (EndpointCounts). */
  total = 0;
  readonly byPort = new Map<string, number>();
  readonly byLabel = new Map<string, number>();
  /** Label → how many slices list it (an endpoint name two slices share needs both re-weighted). */
  readonly labelSlices = new Map<string, number>();

  constructor(readonly service: ServiceInfo) {}

  /** Replace one slice's entries (undefined: the slice is gone). */
  set(slice: string, entries: EndpointEntry[] | undefined): void {
    const old = this.entries.get(slice);
    if (old) this.count(old, -1);
    if (entries === undefined) this.entries.delete(slice);
    else {
      this.entries.set(slice, entries);
      this.count(entries, 1);
    }
  }

  private count(entries: readonly EndpointEntry[], delta: 1 | -1): void {
    for (const label of new Set(entries.map((e) => e.label))) bump(this.labelSlices, label, delta);
    for (const e of entries) {
      const key = endpointEntryKey(e);
      const before = this.refs.get(key) ?? 0;
      bump(this.refs, key, delta);
      if (delta === 1 ? before === 0 : before === 1) {
        // The first slice to list an entry adds it to the counts; the last to drop it removes it.
        this.total += delta;
        const group = endpointPortGroup(e);
        if (group !== undefined) bump(this.byPort, group, delta);
        bump(this.byLabel, e.label, delta);
      }
    }
  }
}

function bump(map: Map<string, number>, key: string, delta: number): void {
  const after = (map.get(key) ?? 0) + delta;
  if (after <= 0) map.delete(key);
  else map.set(key, after);
}
