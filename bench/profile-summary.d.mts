// Types for bench/profile-summary.mjs.
export interface ProfileFrame {
  functionName: string;
  location: string;
  selfMs: number;
  selfPct: number;
}
export function summarizeProfile(profile: unknown, top?: number, options?: { skipMs?: number }): ProfileFrame[];
