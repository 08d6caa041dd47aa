#!/usr/bin/env node
// Top self-time frames of a V8 .cpuprofile (node --cpu-prof).
// Usage: node bench/profile-summary.mjs FILE.cpuprofile [--top 20] [--skip-ms N (leave out the first N ms)]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** [{ functionName, location, selfMs, selfPct }] sorted by self time, top n. */
export function summarizeProfile(profile, top = 20, { skipMs = 0 } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const { samples = [], timeDeltas = [] } = profile;
  let total = 0;
  let elapsed = 0; // µs since the profile started
  for (let i = 0; i < samples.length; i++) {
    const dt = timeDeltas[i] ?? 0;
    elapsed += dt;
    if (elapsed < skipMs * 1000) continue; // startup (manifest load, index build) is not the hot path
    self.set(samples[i], (self.get(samples[i]) ?? 0) + dt);
    total += dt;
  }
  const frames = new Map();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const cf = node.callFrame;
    let url = cf.url || '';
    if (url.startsWith('file://')) {
      try {
        url = relative(process.cwd(), fileURLToPath(url));
      } catch {}
    }
    const location = url ? `${url}:${cf.lineNumber + 1}` : '(native)';
    const key = `${cf.functionName || '(anonymous)'}\0${location}`;
    frames.set(key, (frames.get(key) ?? 0) + us);
  }
  return [...frames.entries()]
    .map(([key, us]) => {
      const [functionName, location] = key.split('\0');
      return { functionName, location, selfMs: us / 1000, selfPct: total ? (100 * us) / total : 0 };
    })
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  const i = process.argv.indexOf('--top');
  const n = i > 0 ? Number(process.argv[i + 1]) : 20;
  const j = process.argv.indexOf('--skip-ms');
  const skipMs = j > 0 ? Number(process.argv[j + 1]) : 0;
  for (const f of summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), n, { skipMs })) {
    process.stdout.write(`${f.selfPct.toFixed(1).padStart(5)} %  ${f.selfMs.toFixed(0).padStart(6)} ms  ${f.functionName}  ${f.location}\n`);
  }
}
