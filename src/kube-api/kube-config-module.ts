// client-node's KubeConfig without the generated API clients it never needs here.
//
// dist/config.js (KubeConfig) imports dist/gen/index.js for two names used only by makeApiClient(), and that
// index loads every generated model and API, 804 modules held for the life of the process (figures:
// docs/benchmarks.md "Issue 13: the watch path's memory"). The package has no way to import KubeConfig
// without it, so this loads config.js's own source unchanged except for its import specifiers: relative ones
// point at the package's files, './gen/index.js' at client-node-gen-configuration.ts, and bare ones at the
// very files a plain import would load. Anything unexpected (another client-node version, a dependency
// that would resolve to a different copy) → the package's own module, with the whole graph.
//
// ESM only (import.meta): the CLI uses it; the library entry points keep the plain import.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as ConfigModule from '@kubernetes/client-node/dist/config.js';

export type KubeConfigModule = typeof ConfigModule;

export interface LoadedKubeConfigModule {
  module: KubeConfigModule;
  /** True when loaded without the generated clients; false after a fallback, with the reason. */
  narrow: boolean;
  fallbackReason?: string;
}

const CONFIG_SPECIFIER = '@kubernetes/client-node/dist/config.js';
const GENERATED_INDEX = './gen/index.js';
/** config.js's imports in client-node 1.4.0; any other set means another layout, which is not rewritten. */
const EXPECTED_IMPORTS = [
  'node:fs', 'node:https', 'node:http', 'js-yaml', 'node:net', 'node:path', 'node-fetch', './azure_auth.js',
  './config_types.js', './exec_auth.js', './file_auth.js', './gcp_auth.js', GENERATED_INDEX, './oidc_auth.js',
  'node:child_process', 'socks-proxy-agent', 'hpagent',
];
// One static import per line, as tsc emits them (multi-name imports included).
const IMPORT_LINE = /^(import\s[^;]*?\sfrom\s')([^']+)(';)$/gm;

let loading: Promise<LoadedKubeConfigModule> | undefined;

/** client-node's dist/config.js, narrowed when its layout is the expected one. Loaded once per process. */
export function importKubeConfigModule(): Promise<LoadedKubeConfigModule> {
  loading ??= loadModule();
  return loading;
}

async function loadModule(): Promise<LoadedKubeConfigModule> {
  try {
    const source = narrowSource();
    const module = (await import(`data:text/javascript,${encodeURIComponent(source)}`)) as KubeConfigModule;
    return { module, narrow: true };
  } catch (err) {
    return { module: await import(CONFIG_SPECIFIER), narrow: false, fallbackReason: (err as Error).message };
  }
}

/** config.js's source with every import specifier made absolute; throws when the layout is not the expected one. */
export function narrowSource(): string {
  const configUrl = import.meta.resolve(CONFIG_SPECIFIER);
  const configPath = fileURLToPath(configUrl);
  const requireFromConfig = createRequire(configPath);
  return rewriteConfigImports(readFileSync(configPath, 'utf8'), {
    configUrl,
    generatedShimUrl: new URL('./client-node-gen-configuration.js', import.meta.url).href,
    resolveBare: (specifier) => samePackage(specifier, requireFromConfig),
  });
}

export interface ImportTargets {
  /** Where config.js is: relative specifiers and its source map resolve against it. */
  configUrl: string;
  /** What './gen/index.js' becomes. */
  generatedShimUrl: string;
  /** A bare specifier's URL; throws when it cannot be the one config.js would load. */
  resolveBare(specifier: string): string;
}

/** The rewrite itself: only import specifiers change, so line numbers stay those of the package's file. */
export function rewriteConfigImports(source: string, targets: ImportTargets): string {
  const found = [...source.matchAll(IMPORT_LINE)].map((m) => m[2]);
  if (found.length !== EXPECTED_IMPORTS.length || found.some((s, i) => s !== EXPECTED_IMPORTS[i])) {
    throw new Error(`${targets.configUrl}: imports are not client-node 1.4.0's (${found.join(', ')})`);
  }
  const rewritten = source.replace(IMPORT_LINE, (_line, head: string, specifier: string, tail: string) => {
    let target: string;
    if (specifier === GENERATED_INDEX) target = targets.generatedShimUrl;
    else if (specifier.startsWith('node:')) target = specifier;
    else if (specifier.startsWith('./')) target = new URL(specifier, targets.configUrl).href;
    else target = targets.resolveBare(specifier);
    return head + target + tail;
  });
  // Stack frames name the package's file; its source map sits beside it.
  const withMap = rewritten.replace(
    /^\/\/# sourceMappingURL=(\S+)$/m,
    (_m, map: string) => `//# sourceMappingURL=${new URL(map, targets.configUrl).href}`,
  );
  return `${withMap}\n//# sourceURL=${targets.configUrl}\n`;
}

/**
 * The URL an ESM import of `specifier` loads from here, provided it is in the same package directory that
 * config.js's own lookup finds (npm may nest a different version under client-node's node_modules).
 */
function samePackage(specifier: string, requireFromConfig: NodeJS.Require): string {
  const fromHere = fileURLToPath(import.meta.resolve(specifier));
  const fromConfig = requireFromConfig.resolve(specifier);
  const root = (file: string): string => {
    const marker = `/node_modules/${specifier}/`;
    const at = file.lastIndexOf(marker);
    return at < 0 ? file : file.slice(0, at + marker.length);
  };
  if (root(fromHere) !== root(fromConfig)) {
    throw new Error(`${specifier} resolves to ${fromHere} here but to ${fromConfig} from client-node`);
  }
  return import.meta.resolve(specifier);
}
