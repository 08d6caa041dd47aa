// Durations as CoreDNS's directives read them (Go's time.ParseDuration: `5s`, `1m30s`, `500ms`, `1h`); a bare
// number is seconds, as in `cache`'s TTL arguments.

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or null when `text` is no duration. */
export function parseGoDuration(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return null;
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(match[1]) * UNIT_MS[match[2]];
  return total;
}
