// Messages between the manifest source's parser (threaded-manifest-parser.ts) and its worker thread (parse-worker.ts).
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
  /**
   * The next slice of the parsed objects, in file order, as JSON text of a ClusterObject[]: JSON.parse builds
   * each object with its properties in the object and shares short strings, where a structured clone gives
   * every object its properties out of line and every string its own copy (a third more heap).
   */
  | { id: number; type: 'objects'; json: string }
  | { id: number; type: 'done'; digest: string; unchanged: boolean; skippedKinds: Array<[string, number]> }
  /** `message` is without the file:line prefix; `location` carries it. `digest`: of the bytes that failed. */
  | { id: number; type: 'error'; message: string; code?: ErrorCode; location?: ErrorLocation; digest?: string };
