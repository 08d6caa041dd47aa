// Writes a kubeconfig file pointing at an emulator (http://127.0.0.1:PORT, insecure-skip-tls-verify, a
// bearer token): what a user's ~/.kube/config looks like, so tests go through KubeConfig.loadFromFile.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KubeconfigContext {
  name: string;
  server: string;
  token?: string;
}

export interface KubeconfigFileOptions {
  /** Contexts to write; the first is current unless `currentContext` says otherwise. */
  contexts: KubeconfigContext[];
  currentContext?: string;
}

/** The kubeconfig YAML for `options` (JSON-quoted scalars are valid YAML). */
export function kubeconfigYaml(options: KubeconfigFileOptions): string {
  const q = (s: string): string => JSON.stringify(s);
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  for (const c of options.contexts) {
    lines.push(`- name: ${q(c.name)}`, '  cluster:', `    server: ${q(c.server)}`, '    insecure-skip-tls-verify: true');
  }
  lines.push('users:');
  for (const c of options.contexts) {
    lines.push(`- name: ${q(c.name)}`, '  user:');
    lines.push(c.token === undefined ? '    {}' : `    token: ${q(c.token)}`);
  }
  lines.push('contexts:');
  for (const c of options.contexts) {
    lines.push(`- name: ${q(c.name)}`, '  context:', `    cluster: ${q(c.name)}`, `    user: ${q(c.name)}`);
  }
  const current = options.currentContext ?? options.contexts[0]?.name;
  if (current !== undefined) lines.push(`current-context: ${q(current)}`);
  lines.push('preferences: {}', '');
  return lines.join('\n');
}

/** Write a kubeconfig into `dir` (file name `config` unless given); returns its path. */
export async function writeKubeconfig(dir: string, options: KubeconfigFileOptions, file = 'config'): Promise<string> {
  const path = join(dir, file);
  await writeFile(path, kubeconfigYaml(options), { mode: 0o600 });
  return path;
}

/** A fresh temporary directory and its remover. */
export async function tempDir(prefix = 'clusterdns-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
