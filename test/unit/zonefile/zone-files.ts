// Zone files written into a fresh temporary zones directory, and the zone they parse into as zone-file lines.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { formatRecord } from '../../../src/wire/presentation.js';
import { parseZoneFile } from '../../../src/zonefile/zone-file-parser.js';
import type { Zone } from '../../../src/zonefile/zone.js';

/** The SOA most test zones start with. */
export const SOA = '@ 3600 IN SOA ns1 hostmaster 1 7200 900 1209600 60';

/** Writes `files` (path → text) into a new directory and returns it. */
export function zonesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'clusterdns-zones-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Parses `text` as `<origin>.db` (plus any other files) and returns the zone. */
export async function parseZone(text: string, origin = 'example.test', others: Record<string, string> = {}): Promise<Zone> {
  const dir = zonesDir({ [`${origin}.db`]: text, ...others });
  return parseZoneFile(join(dir, `${origin}.db`), { zonesDir: dir, defaultOrigin: origin });
}

/** The zone's records as zone-file lines, sorted. */
export function lines(zone: Zone): string[] {
  return [...zone.records()].map(formatRecord).sort();
}

/** The error a parse rejects with (fails the test when it resolves). */
export async function parseError(text: string, origin = 'example.test', others: Record<string, string> = {}): Promise<Error & { code?: string }> {
  try {
    await parseZone(text, origin, others);
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('the zone parsed, but an error was expected');
}
