// Did a run's rcodes match its query mix? Each mix has a known NXDOMAIN share (hits 5 %, the storm 100 %,
// forwarded names 0 %) and everything else must be NOERROR; within one point, since dnsperf loops the file.
import type { DnsperfFigures } from './dnsperf-output.js';

export function rcodeCheck(fixedReply: boolean, wantNx: number, res: Pick<DnsperfFigures, 'completed' | 'rcodes'>): string {
  if (fixedReply) return 'n/a';
  const total = res.completed || 0;
  if (!total) return 'no answers';
  const nx = (res.rcodes.NXDOMAIN ?? 0) / total;
  const ok = (res.rcodes.NOERROR ?? 0) / total;
  const fine = Math.abs(nx - wantNx) < 0.01 && Math.abs(ok + nx - 1) < 1e-9;
  return fine ? 'ok' : `BAD (NOERROR ${(ok * 100).toFixed(2)} %, NXDOMAIN ${(nx * 100).toFixed(2)} %, want NXDOMAIN ${(wantNx * 100).toFixed(0)} %)`;
}
