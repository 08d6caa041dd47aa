// The manifest parse worker thread (started by threaded-manifest-parser.ts): digests and parses a manifest's
// bytes and hands the trimmed objects back a slice at a time, each when the serving thread asks for it, so
// the serving thread takes them in as short tasks between queries instead of in one long pause.
import { parentPort } from 'node:worker_threads';
import { ClusterDnsError, formatLocation } from '../errors.js';
import { digestAndParse, digestOfFailure } from './manifest-parser.js';
import type { FromParseWorker, ToParseWorker } from './parse-worker-protocol.js';
import { JsonSlices } from './json-slices.js';

/** Objects a slice: a few milliseconds to deserialise on the serving thread. */
const SLICE = 500;

const port = parentPort;
if (!port) throw new Error('parse-worker.js runs as a worker thread of the manifest source');
const post = (message: FromParseWorker) => port.postMessage(message);

/** The parse being handed back (one at a time: the manifest source never overlaps parses). */
let current: { id: number; slices: string[]; at: number; digest: string; skippedKinds: Array<[string, number]> } | undefined;

port.on('message', (request: ToParseWorker) => {
  if (request.type === 'more') {
    if (current?.id === request.id) sendSlice();
    return;
  }
  current = undefined;
  let outcome;
  try {
    outcome = digestAndParse(request.bytes, request.file, request.knownDigest, request.trim, () => new JsonSlices(SLICE));
  } catch (err) {
    const known = err instanceof ClusterDnsError;
    post({
      id: request.id,
      type: 'error',
      // Without the file:line prefix: the serving thread's ClusterDnsError adds it again from `location`.
      message: known ? withoutLocation(err) : String((err as Error)?.message ?? err),
      code: known ? err.code : undefined,
      location: known ? err.location : undefined,
      digest: digestOfFailure(err),
    });
    return;
  }
  if (outcome.unchanged) return post({ id: request.id, type: 'done', digest: outcome.digest, unchanged: true, skippedKinds: [] });
  const { objects, skippedKinds } = outcome.parsed;
  objects.flush();
  current = { id: request.id, slices: objects.slices, at: 0, digest: outcome.digest, skippedKinds: [...skippedKinds] };
  sendSlice();
});

function sendSlice(): void {
  if (!current) return;
  const { id, slices, at } = current;
  if (at >= slices.length) {
    post({ id, type: 'done', digest: current.digest, unchanged: false, skippedKinds: current.skippedKinds });
    current = undefined;
    return;
  }
  current.at = at + 1;
  const json = slices[at];
  slices[at] = ''; // let it go once sent
  post({ id, type: 'objects', json });
}

function withoutLocation(err: ClusterDnsError): string {
  const prefix = err.location ? `${formatLocation(err.location)}: ` : '';
  return err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
}
