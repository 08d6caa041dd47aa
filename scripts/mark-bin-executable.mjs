// tsc writes dist/cli/main.js without the execute bit. `npm install` sets it for installed packages, but inside
// this repository `npx clusterdns …` (the README's commands) runs the file through its shebang and needs it.
import { chmodSync } from 'node:fs';

chmodSync(new URL('../dist/cli/main.js', import.meta.url), 0o755);
