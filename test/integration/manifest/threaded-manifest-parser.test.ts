// The manifest parse worker lets its thread go when idle: a worker isolate keeps the heap its parse grew for
// as long as it lives, so a snapshot loaded once would cost that memory for the server's whole life.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterDnsError, ErrorCodes } from '../../../src/errors.js';
import { digestOf, digestOfFailure } from '../../../src/manifest/manifest-parser.js';
import { ThreadedManifestParser } from '../../../src/manifest/threaded-manifest-parser.js';

/** The built worker script (global setup builds dist/). */
const PARSE_WORKER = fileURLToPath(new URL('../../../dist/manifest/parse-worker.js', import.meta.url));

function serviceList(count: number): Uint8Array {
  const items = Array.from({ length: count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `svc-${i}`, namespace: 'default' },
    spec: { type: 'ClusterIP', clusterIP: `10.96.${i >> 8}.${i & 255}`, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  }));
  return new TextEncoder().encode(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
}

function objectNames(outcome: Awaited<ReturnType<ThreadedManifestParser['parse']>>): string[] {
  if (outcome.unchanged) throw new Error('expected a parse, got "unchanged"');
  return outcome.parsed.objects.map((o) => o.name);
}

describe('ThreadedManifestParser', () => {
  let parser: ThreadedManifestParser | undefined;
  afterEach(async () => {
    await parser?.close();
    parser = undefined;
  });

  it('ends its worker thread as soon as a large parse is done, and starts a new one for the next parse', async () => {
    let onRelease!: () => void;
    const ended = new Promise<void>((resolve) => (onRelease = resolve));
    parser = new ThreadedManifestParser(PARSE_WORKER, { largeParseBytes: 1000, idleReleaseMs: 60_000, onRelease });
    const bytes = serviceList(20);
    expect(bytes.byteLength).toBeGreaterThan(1000);
    const first = await parser.parse(bytes, 'big.json', undefined);
    expect(objectNames(first)).toHaveLength(20);
    expect(parser.workerRunning).toBe(false);
    await ended; // well before the 60 s idle release: the test's own timeout would fail it

    const again = await parser.parse(serviceList(21), 'big.json', undefined);
    expect(objectNames(again)).toHaveLength(21);
  });

  it('keeps its worker for the next reload after a small parse, then ends it once idle for idleReleaseMs', async () => {
    let onRelease!: () => void;
    const ended = new Promise<void>((resolve) => (onRelease = resolve));
    parser = new ThreadedManifestParser(PARSE_WORKER, { largeParseBytes: 1 << 20, idleReleaseMs: 200, onRelease });
    const outcome = await parser.parse(serviceList(2), 'small.json', undefined);
    expect(objectNames(outcome)).toEqual(['svc-0', 'svc-1']);
    expect(parser.workerRunning).toBe(true);
    await ended;
    expect(parser.workerRunning).toBe(false);
  });

  it('takes the bytes without copying them (their buffer moves to the worker), and a failed parse still gives the digest of what failed', async () => {
    parser = new ThreadedManifestParser(PARSE_WORKER);
    const bytes = serviceList(3);
    expect(bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength).toBe(true);
    expect(objectNames(await parser.parse(bytes, 'c.json', undefined))).toEqual(['svc-0', 'svc-1', 'svc-2']);
    expect(bytes.byteLength).toBe(0); // transferred: this side's view is detached

    const broken = new TextEncoder().encode('{"kind": "List", "items": [\n{"kind": "Service",, "metadata": {}}\n]}\n');
    const digest = digestOf(broken);
    const err = await parser.parse(broken, 'broken.json', undefined).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ClusterDnsError);
    expect((err as ClusterDnsError).code).toBe(ErrorCodes.MANIFEST_PARSE);
    expect((err as ClusterDnsError).location).toMatchObject({ file: 'broken.json', line: 2 });
    expect(digestOfFailure(err)).toBe(digest);
  });
});
