// tsc writes dist/cli/bin.js (the `clusterdns` bin; main.js runs as well) without the execute bit. `npm install` sets it for installed packages, but inside
// this repository `npx clusterdns …` (the README's commands) runs the file through its shebang and needs it.
import { chmodSync } from 'node:fs';

chmodSync(new URL('../dist/cli/bin.js', import.meta.url), 0o755);
chmodSync(new URL('../dist/cli/main.js', import.meta.url), 0o755);
