// Loaded into the soaked server only (node --expose-gc --import): on SIGUSR2 one full GC, then a line on
// stderr, so the soak compares settled heaps rather than whatever garbage happened to be waiting.
process.on('SIGUSR2', () => {
  globalThis.gc();
  process.stderr.write('soak: settled\n');
});
