// Types for bench/programming-latency.mjs.
import type { ProgrammingLatency } from './run/types.js';

export function measureProgrammingLatency(options: { manifest: string; rate?: number; seconds?: number; cpu?: string; port?: number }): Promise<Omit<ProgrammingLatency, 'size'>>;
