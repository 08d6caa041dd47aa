// Where a manifest's bytes become trimmed objects: on the serving thread (small files, embedders) or in a
// worker thread (threaded-manifest-parser.ts), so a multi-megabyte YAML snapshot never stalls answering.
import { createHash } from 'node:crypto';
import type { TrimOptions } from '../cluster/trim.js';
import type { ClusterObject } from '../cluster/objects.js';
import { parseManifestBytes, type ObjectSink, type ParsedManifest } from './load-manifest.js';
import type { TimeSlicer } from '../runtime/time-slicer.js';

/** A parse, or `unchanged` when the bytes hash to the digest the caller already holds. */
export type ParseOutcome<S extends ObjectSink = ClusterObject[]> = { unchanged: true; digest: string } | { unchanged: false; digest: string; parsed: ParsedManifest<S> };

export interface ManifestParser {
  /**
   * Digest `bytes`; parse them unless the digest equals `knownDigest`. Rejects with what parseManifest throws,
   * carrying the digest (digestOfFailure). The parser may take the bytes (a worker's parser transfers their
   * buffer rather than copy a snapshot of tens of megabytes): the caller must not read them afterwards.
   */
  parse(bytes: Uint8Array, file: string, knownDigest: string | undefined, trim?: TrimOptions): Promise<ParseOutcome>;
  close(): Promise<void>;
}

const DIGEST = 'sha256';
/** Bytes hashed between pauses by digestInSlices. */
const DIGEST_CHUNK = 1 << 20;

/**
 * Change detection of the raw bytes, with no decoding first. SHA-256 rather than SHA-1: OpenSSL hashes it
 * with the CPU's SHA extensions where there are any, several times faster (docs/benchmarks.md).
 */
export function digestOf(bytes: Uint8Array): string {
  return createHash(DIGEST).update(bytes).digest('base64');
}

/** digestOf, a chunk at a time with a pause between chunks whenever the slice is used up (on the serving thread). */
export async function digestInSlices(bytes: Uint8Array, slicer: TimeSlicer): Promise<string> {
  const hash = createHash(DIGEST);
  for (let at = 0; at < bytes.byteLength; at += DIGEST_CHUNK) {
    hash.update(bytes.subarray(at, at + DIGEST_CHUNK));
    await slicer.pause();
  }
  return hash.digest('base64');
}

const failureDigests = new WeakMap<object, string>();

/** The digest of the bytes whose parse failed with `err`, when the parser attached it. */
export function digestOfFailure(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? failureDigests.get(err) : undefined;
}

/** Attach the digest of the bytes that failed to parse to the error (see digestOfFailure). */
export function withFailureDigest<E>(err: E, digest: string): E {
  if (typeof err === 'object' && err !== null) failureDigests.set(err, digest);
  return err;
}

/** Digest, then parse unless unchanged: the one step both parsers run (the worker's into its JSON slices). */
export function digestAndParse(bytes: Uint8Array, file: string, knownDigest: string | undefined, trim?: TrimOptions): ParseOutcome;
export function digestAndParse<S extends ObjectSink>(bytes: Uint8Array, file: string, knownDigest: string | undefined, trim: TrimOptions | undefined, newSink: () => S): ParseOutcome<S>;
export function digestAndParse(bytes: Uint8Array, file: string, knownDigest: string | undefined, trim?: TrimOptions, newSink: () => ObjectSink = () => []): ParseOutcome<ObjectSink> {
  const digest = digestOf(bytes);
  if (digest === knownDigest) return { unchanged: true, digest };
  try {
    return { unchanged: false, digest, parsed: parseManifestBytes(bytes, file, trim, newSink) };
  } catch (err) {
    throw withFailureDigest(err, digest);
  }
}

/** Parses on the calling thread: for embedders and builds that cannot start the parse worker. */
export const inThreadManifestParser: ManifestParser = {
  parse: (bytes, file, knownDigest, trim) => Promise.resolve().then(() => digestAndParse(bytes, file, knownDigest, trim)),
  close: () => Promise.resolve(),
};
