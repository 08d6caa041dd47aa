// The parse worker's objects as they will cross to the serving thread: JSON text, a slice of SLICE objects
// per string, each object written as it is trimmed. The worker then holds a few large strings instead of
// every trimmed object (which its garbage collector would copy and mark for the rest of the parse), and the
// serving thread's JSON.parse builds each object compactly (parse-worker-protocol.ts).
import type { ClusterObject } from '../cluster/objects.js';
import type { ObjectSink } from './load-manifest.js';

export class JsonSlices implements ObjectSink {
  /** JSON arrays of up to `perSlice` objects each, in file order. */
  readonly slices: string[] = [];
  private current: string[] = [];
  private count = 0;

  constructor(private readonly perSlice: number) {}

  get length(): number {
    return this.count;
  }

  push(object: ClusterObject): void {
    this.current.push(JSON.stringify(object));
    this.count++;
    if (this.current.length >= this.perSlice) this.flush();
  }

  /** Close the slice being written (call once every object is in). */
  flush(): void {
    if (this.current.length === 0) return;
    this.slices.push(`[${this.current.join(',')}]`);
    this.current = [];
  }
}
