// SIGTERM or SIGINT before `clusterdns` has anything to drain: exit 0 at once. Node's default for a signal no
// handler catches is to die by it (exit 143), so the entry point installs this before it loads anything else;
// whoever installs the real handling (stopOnSignals, the multi-core start-up) releases it.

let installed: ((signal: NodeJS.Signals) => void) | null = null;

export function exitOnSignalsDuringStartUp(): void {
  if (installed) return;
  installed = (signal) => {
    process.stderr.write(`clusterdns: stopped by ${signal} during start-up\n`);
    process.exit(0);
  };
  process.on('SIGTERM', installed);
  process.on('SIGINT', installed);
}

/** The caller has its own SIGTERM/SIGINT handling from now on. */
export function releaseStartUpSignals(): void {
  if (!installed) return;
  process.off('SIGTERM', installed);
  process.off('SIGINT', installed);
  installed = null;
}
