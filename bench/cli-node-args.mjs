// The Node flags the `clusterdns` executable starts with: those of its shebang line
// (`#!/usr/bin/env -S node FLAGS`). The bench starts the CLI with process.execPath, which does not read a
// shebang, so it passes these itself: what it measures is what an operator runs.
import { readFileSync } from 'node:fs';

/** The flags after `node` on the first line of `binPath`; [] when it names no flags. */
export function cliNodeArgs(binPath) {
  const first = readFileSync(binPath, 'utf8').split('\n', 1)[0];
  const m = /^#!\S*?(?:\/env\s+(?:-S\s+)?)?\S*node(?:\s+(.*))?$/.exec(first);
  return m?.[1] ? m[1].trim().split(/\s+/) : [];
}
