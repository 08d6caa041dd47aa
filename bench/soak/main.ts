// `npm run soak -- --minutes N [--qps Q] [--services S] [--churn C] [--sample-seconds T] [--seed X] [--out FILE]`
// Prints progress and the report; exits 1 when any check failed (bench/soak/run-soak.ts lists them).
import { writeFileSync } from 'node:fs';
import { parseSoakOptions } from './options.js';
import { runSoak } from './run-soak.js';
import { formatSoakReport } from './soak-report.js';

let options;
try {
  options = parseSoakOptions(process.argv.slice(2));
} catch (err) {
  console.error(`soak: ${(err as Error).message}`);
  process.exit(2);
}
const report = await runSoak(options, (line) => console.log(line));
console.log(`\n${formatSoakReport(report)}`);
if (options.out) writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
process.exit(report.failures.length === 0 ? 0 : 1);
