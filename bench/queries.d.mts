// Types for bench/queries.mjs.
type Names = { zone: string; namespaces: string[]; services: Array<[string, string, string, number]> };
export const HITS_MIX: { A: number; SRV: number; AAAA: number; NX: number };
export function hitsQueries(names: Names, options?: { count?: number; seed?: number }): { lines: string[]; expected: { A: number; SRV: number; AAAA: number; NX: number } };
export function stormQueries(names: Names, options?: { count?: number; seed?: number }): { lines: string[]; expected: { NX: number } };
export function writeQueries(options: { names: string | Names; out: string; count?: number }): {
  hitsFile: string;
  stormFile: string;
  hitsExpected: { A: number; SRV: number; AAAA: number; NX: number };
  stormExpected: { NX: number };
  count: number;
};
