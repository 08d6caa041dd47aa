#!/usr/bin/env -S node --max-semi-space-size=2
// The `clusterdns` executable. The shebang sizes V8's young generation: 2 MiB semi-spaces instead of up to 16.
// At 1 MiB, a burst of datagrams in flight (a cold cache's upstream questions) leaves V8 promoting a quarter of
// everything allocated afterwards. README "The young generation" and docs/benchmarks.md (stop 15) give the trade.
// Only the command line can set it, since the heap is laid out before any code runs, and `env -S` passes it on.
// Its only static import has no imports of its own, so SIGTERM is handled (exit 0) from the first statement on,
// before the modules of the command load.
import { exitOnSignalsDuringStartUp } from './early-signals.js';

exitOnSignalsDuringStartUp();
// `ps` and /proc/PID/comm show the command (bounded by the original argv's length, which this is shorter than).
process.title = ['clusterdns', ...process.argv.slice(2)].join(' ');
await import('./main.js');
