// dist/cjs holds the CommonJS build (tsconfig.cjs.json) of the package's two entry points. The package root is
// "type": "module", so Node and TypeScript would read those .js and .d.ts files as ES modules without this
// nearer package.json saying otherwise.
import { writeFileSync } from 'node:fs';

writeFileSync(new URL('../dist/cjs/package.json', import.meta.url), '{ "type": "commonjs" }\n');
