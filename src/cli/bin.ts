#!/usr/bin/env node
// The `clusterdns` executable. Its only static import has no imports of its own, so SIGTERM is handled (exit 0)
// from the first statement on, before the modules of the command load.
import { exitOnSignalsDuringStartUp } from './early-signals.js';

exitOnSignalsDuringStartUp();
// `ps` and /proc/PID/comm show the command (bounded by the original argv's length, which this is shorter than).
process.title = ['clusterdns', ...process.argv.slice(2)].join(' ');
await import('./main.js');
