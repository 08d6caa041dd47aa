// Messages between the manifest source's parser (threaded-manifest-parser.ts) and its worker thread (parse-worker.ts).
import type { ClusterObject } from '../cluster/objects.js';
import type { TrimOptions } from '../cluster/trim.js';
import type { ErrorCode, ErrorLocation } from '../errors.js';

export type ToParseWorker =
  | { type: 'parse'; id: number; bytes: Uint8Array; file: string; knownDigest: string | undefined; trim: TrimOptions | undefined }
  /**
   * Send the next slice of parse `id`. The serving thread asks for each slice once it has taken in the last:
   * a port delivers every queued message in one task, so slices sent unasked would arrive as one long pause.
   */
  | { type: 'more'; id: number };

export type FromParseWorker =
  /** The next slice of the parsed objects, in file order. */
  | { id: number; type: 'objects'; objects: ClusterObject[] }
  | { id: number; type: 'done'; digest: string; unchanged: boolean; skippedKinds: Array<[string, number]> }
  /** `message` is without the file:line prefix; `location` carries it. */
  | { id: number; type: 'error'; message: string; code?: ErrorCode; location?: ErrorLocation };
