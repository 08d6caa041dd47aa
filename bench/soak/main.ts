// `npm run soak -- --minutes N [--qps Q] [--services S] [--churn C] [--sample-seconds T] [--seed X] [--out FILE]`
// Prints progress and the report; exits 1 when any check failed (bench/soak/run-soak.ts lists them).
import { writeFileSync } from 'node:fs';
import { parseSoakOptions } from './options.js';
import { runSoak } from './run-soak.js';
import { formatSoakReport } from './soak-report.js';
import { SoakedServer } from './soaked-server.js';

let options;
try {
  options = parseSoakOptions(process.argv.slice(2));
} catch (err) {
  console.error(`soak: ${(err as Error).message}`);
  process.exit(2);
}
// Ctrl-C or SIGTERM stops the soak and the server it started, with no report.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    SoakedServer.stopAll();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}
const report = await runSoak(options, (line) => console.log(line));
console.log(`\n${formatSoakReport(report)}`);
if (options.out) writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
process.exit(report.failures.length === 0 ? 0 : 1);
