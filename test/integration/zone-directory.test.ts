// --zones DIR: loading, reloading on change, broken files at start and while serving, include tracking,
// and loading a large zone without holding the event loop.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/errors.js';
import { createLogger } from '../../src/log/logger.js';
import { formatRecord } from '../../src/wire/presentation.js';
import { RRType } from '../../src/wire/types.js';
import { loadZoneDirectory, type ZoneDirectory, type ZoneReloadEvent } from '../../src/zonefile/zone-directory.js';
import { SOA, zonesDir } from '../unit/zonefile/zone-files.js';

const zone = (address: string, extra = '') => `${SOA}\nwww 60 A ${address}\n${extra}`;

/** A pino logger whose lines the test can read. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ destination, level: 'info' }), lines };
}

/** Resolves with the first reload that `matches`; rejects after `timeoutMs`. */
function reloadWhere(directory: ZoneDirectory, matches: (event: ZoneReloadEvent) => boolean, timeoutMs = 5000): Promise<ZoneReloadEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      directory.off('reload', listener);
      reject(new Error(`no matching reload within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (event: ZoneReloadEvent) => {
      if (!matches(event)) return;
      clearTimeout(timer);
      directory.off('reload', listener);
      resolve(event);
    };
    directory.on('reload', listener);
  });
}

function answer(directory: ZoneDirectory, name: string, type: number = RRType.A): string[] {
  const found = directory.findZone(name);
  return found === null ? ['<no zone>'] : found.lookup(name, type).answer.map(formatRecord);
}

const FAST = { debounceMs: 20, settleMs: 50, pollMs: 200 };

describe('loadZoneDirectory', () => {
  let directory: ZoneDirectory | undefined;
  afterEach(async () => {
    await directory?.close();
    directory = undefined;
  });

  it('serves every *.db file, by file name or by the $ORIGIN set before its first record, longest origin first', async () => {
    const dir = zonesDir({
      'example.test.db': zone('192.0.2.1'),
      'sub.db': `$ORIGIN sub.example.test.\n${SOA}\nwww 60 A 192.0.2.2\n`,
      'notes.txt': 'not a zone',
    });
    directory = await loadZoneDirectory(dir, { logger: capturingLogger().logger, watch: false });
    expect(directory.zones.map((z) => z.origin).sort()).toEqual(['example.test', 'sub.example.test']);
    expect(answer(directory, 'www.example.test')).toEqual(['www.example.test. 60 IN A 192.0.2.1']);
    expect(answer(directory, 'www.sub.example.test')).toEqual(['www.sub.example.test. 60 IN A 192.0.2.2']);
    expect(directory.findZone('example.org')).toBeNull();
  });

  it('rejects at start with file:line:column and the reason when a file does not parse', async () => {
    const dir = zonesDir({ 'good.test.db': zone('192.0.2.1'), 'example.test.db': zone('192.0.2.1', 'bad 60 A 192.0.2\n') });
    const err = (await loadZoneDirectory(dir, { logger: capturingLogger().logger, watch: false }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe(ErrorCodes.ZONE_PARSE);
    expect(err.message).toBe(`${join(dir, 'example.test.db')}:3:10: "192.0.2" is not an IPv4 address`);
  });

  it('rejects two files for one origin, and a directory that cannot be read', async () => {
    const dir = zonesDir({ 'example.test.db': zone('192.0.2.1'), 'again.db': `$ORIGIN example.test.\n${zone('192.0.2.2')}` });
    const duplicate = (await loadZoneDirectory(dir, { logger: capturingLogger().logger, watch: false }).catch((e: unknown) => e)) as Error & { code: string };
    expect([duplicate.code, duplicate.message]).toEqual([ErrorCodes.ZONE_DATA, `${join(dir, 'example.test.db')}: zone example.test is already served from ${join(dir, 'again.db')}`]);
    const missing = (await loadZoneDirectory(join(dir, 'nowhere'), { logger: capturingLogger().logger }).catch((e: unknown) => e)) as Error & { code: string };
    expect(missing.code).toBe(ErrorCodes.ZONE_READ);
  });

  it('reloads a file that changes, and tells change listeners which origin changed', async () => {
    const dir = zonesDir({ 'example.test.db': zone('192.0.2.1') });
    directory = await loadZoneDirectory(dir, { logger: capturingLogger().logger, ...FAST });
    const changes: string[][] = [];
    directory.onChange((origins) => changes.push([...origins]));
    const reloaded = reloadWhere(directory, (event) => event.outcome === 'loaded');
    writeFileSync(join(dir, 'example.test.db'), zone('192.0.2.99'));
    expect(await reloaded).toMatchObject({ outcome: 'loaded', origin: 'example.test', previousOrigin: 'example.test' });
    expect(answer(directory, 'www.example.test')).toEqual(['www.example.test. 60 IN A 192.0.2.99']);
    expect(changes).toContainEqual(['example.test']);
  });

  it('picks up a file replaced by rename, as editors save', async () => {
    const dir = zonesDir({ 'example.test.db': zone('192.0.2.1') });
    directory = await loadZoneDirectory(dir, { logger: capturingLogger().logger, ...FAST });
    const reloaded = reloadWhere(directory, (event) => event.outcome === 'loaded');
    writeFileSync(join(dir, '.example.test.db.swp'), zone('192.0.2.7'));
    renameSync(join(dir, '.example.test.db.swp'), join(dir, 'example.test.db'));
    await reloaded;
    expect(answer(directory, 'www.example.test')).toEqual(['www.example.test. 60 IN A 192.0.2.7']);
  });

  it('keeps serving the old zone when an edit does not parse, and logs the error once', async () => {
    const dir = zonesDir({ 'example.test.db': zone('192.0.2.1') });
    const { logger, lines } = capturingLogger();
    directory = await loadZoneDirectory(dir, { logger, ...FAST });
    const broken = zone('192.0.2.2', 'oops 60 A not-an-address\n');
    const failed = reloadWhere(directory, (event) => event.outcome === 'failed');
    writeFileSync(join(dir, 'example.test.db'), broken);
    const event = await failed;
    expect(event.error?.message).toBe(`${join(dir, 'example.test.db')}:3:11: "not-an-address" is not an IPv4 address`);
    expect(answer(directory, 'www.example.test')).toEqual(['www.example.test. 60 IN A 192.0.2.1']);

    // The same broken file written again: another failed reload, no second log line.
    const failedAgain = reloadWhere(directory, (e) => e.outcome === 'failed');
    writeFileSync(join(dir, 'example.test.db'), `${broken}\n`);
    await failedAgain;
    const errors = lines.filter((line) => line.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ msg: 'zone file does not load; the previous zone keeps serving', code: ErrorCodes.ZONE_PARSE, zone: 'example.test' });

    // Fixed: the new zone serves.
    const fixed = reloadWhere(directory, (e) => e.outcome === 'loaded');
    writeFileSync(join(dir, 'example.test.db'), zone('192.0.2.3'));
    await fixed;
    expect(answer(directory, 'www.example.test')).toEqual(['www.example.test. 60 IN A 192.0.2.3']);
  });

  it('gives a half-written file time to finish before reporting it', async () => {
    const dir = zonesDir({ 'example.test.db': zone('192.0.2.1') });
    const { logger, lines } = capturingLogger();
    directory = await loadZoneDirectory(dir, { logger, debounceMs: 20, settleMs: 300, pollMs: 5000 });
    const loaded = reloadWhere(directory, (event) => event.outcome === 'loaded');
    // The first half: no SOA yet. The rest arrives well within settleMs.
    writeFileSync(join(dir, 'example.test.db'), 'www 60 A 192.0.2.');
    setTimeout(() => writeFileSync(join(dir, 'example.test.db'), zone('192.0.2.5')), 100);
    await loaded;
    expect(answer(directory, 'www.example.test')).toEqual(['www.example.test. 60 IN A 192.0.2.5']);
    expect(lines.filter((line) => line.level === 50)).toEqual([]);
  });

  it('stops serving a zone whose file is deleted, and serves a file that appears', async () => {
    const dir = zonesDir({ 'example.test.db': zone('192.0.2.1') });
    directory = await loadZoneDirectory(dir, { logger: capturingLogger().logger, ...FAST });
    const removed = reloadWhere(directory, (event) => event.outcome === 'removed');
    rmSync(join(dir, 'example.test.db'));
    expect(await removed).toMatchObject({ previousOrigin: 'example.test', origin: null });
    expect(directory.findZone('www.example.test')).toBeNull();

    const added = reloadWhere(directory, (event) => event.outcome === 'loaded');
    writeFileSync(join(dir, 'new.test.db'), zone('192.0.2.8').replaceAll('example.test', 'new.test'));
    expect(await added).toMatchObject({ origin: 'new.test' });
    expect(answer(directory, 'www.new.test')).toEqual(['www.new.test. 60 IN A 192.0.2.8']);
  });

  it('reloads a zone when a file it $INCLUDEs changes', async () => {
    const dir = zonesDir({ 'example.test.db': `${SOA}\n$INCLUDE hosts/www.inc\n`, 'hosts/www.inc': 'www 60 A 192.0.2.1\n' });
    directory = await loadZoneDirectory(dir, { logger: capturingLogger().logger, ...FAST });
    expect(answer(directory, 'www.example.test')).toEqual(['www.example.test. 60 IN A 192.0.2.1']);
    const reloaded = reloadWhere(directory, (event) => event.outcome === 'loaded');
    writeFileSync(join(dir, 'hosts/www.inc'), 'www 60 A 192.0.2.42\n');
    await reloaded;
    expect(answer(directory, 'www.example.test')).toEqual(['www.example.test. 60 IN A 192.0.2.42']);
  });

  it('loads a 60,000-record zone in slices: timers keep firing, and no gap between them is a quarter of the load', async () => {
    const records = Array.from({ length: 60_000 }, (_, i) => `host-${i} 60 IN A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    const dir = zonesDir({ 'big.test.db': `${SOA.replace('@', 'big.test.')}\n${records.join('\n')}\n` });
    let ticks = 0;
    let last = performance.now();
    let longest = 0;
    const started = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      ticks++;
    }, 1);
    try {
      directory = await loadZoneDirectory(dir, { logger: capturingLogger().logger, watch: false });
    } finally {
      clearInterval(timer);
    }
    const loadMs = performance.now() - started;
    expect(directory.findZone('host-59999.big.test')?.lookup('host-59999.big.test', RRType.A).answer.map(formatRecord)).toEqual([
      'host-59999.big.test. 60 IN A 10.0.234.95',
    ]);
    // Parsed in one go, the longest gap would be the whole load; sliced, it is a slice plus scheduling noise
    // (relative to the load, so a machine busy with other work does not fail it).
    expect(ticks).toBeGreaterThan(5);
    expect(longest).toBeLessThan(loadMs / 4);
  });
});
