// Types for bench/programming-latency.mjs.
export function measureProgrammingLatency(options: { manifest: string; rate?: number; seconds?: number; cpu?: string; port?: number }): Promise<{
  rate: number;
  seconds: number;
  changes: number;
  answered: number;
  missed: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}>;
