// SIGTERM or SIGINT before `clusterdns` has anything to drain: exit 0 at once. Node's default for a signal no
// handler catches is to die by it (exit 143), so the entry point installs this before it loads anything else;
// whoever installs the real handling (stopOnSignals, the multi-core start-up) releases it.
//
// SIGHUP and SIGUSR1 (a Corefile reload, as CoreDNS) during start-up are held, not acted on: before the
// Corefile path has its reload handlers, Node's default would kill the process on SIGHUP. On release each held
// signal is raised again, so the handlers installed by then get it (a reload once serving), and where there
// are none (the flags path) it has Node's default effect, as it would have had.

type HeldSignal = 'SIGHUP' | 'SIGUSR1';

let installed: ((signal: NodeJS.Signals) => void) | null = null;
const held = new Set<HeldSignal>();
const hold = (signal: NodeJS.Signals) => held.add(signal as HeldSignal);

export function exitOnSignalsDuringStartUp(): void {
  if (installed) return;
  installed = (signal) => {
    process.stderr.write(`clusterdns: stopped by ${signal} during start-up\n`);
    process.exit(0);
  };
  process.on('SIGTERM', installed);
  process.on('SIGINT', installed);
  process.on('SIGHUP', hold);
  process.on('SIGUSR1', hold);
}

/** The caller has its own signal handling from now on; a SIGHUP or SIGUSR1 held meanwhile is raised again. */
export function releaseStartUpSignals(): void {
  if (!installed) return;
  process.off('SIGTERM', installed);
  process.off('SIGINT', installed);
  process.off('SIGHUP', hold);
  process.off('SIGUSR1', hold);
  installed = null;
  for (const signal of held) process.kill(process.pid, signal);
  held.clear();
}
