#!/usr/bin/env -S node --max-semi-space-size=1
// The `clusterdns` executable. The shebang sizes V8's young generation (2 MiB semi-spaces instead of up to 16):
// README "Short of memory?" and docs/benchmarks.md "Issue 13" give the trade; only the command line or
// NODE_OPTIONS can set it (the heap is laid out before any code runs), and `env -S` passes it on. Its only static import has no imports of its own, so SIGTERM is handled (exit 0)
// from the first statement on, before the modules of the command load.
import { exitOnSignalsDuringStartUp } from './early-signals.js';

exitOnSignalsDuringStartUp();
// `ps` and /proc/PID/comm show the command (bounded by the original argv's length, which this is shorter than).
process.title = ['clusterdns', ...process.argv.slice(2)].join(' ');
await import('./main.js');
