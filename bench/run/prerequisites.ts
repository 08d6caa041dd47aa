// The programs the bench runs, the Debian package each comes from, and what to say when one is missing.
// Nothing here installs anything: that is install-packages.ts, behind --install.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Target } from './types.js';

export type Tool = 'dnsperf' | 'taskset' | 'dig' | 'knotd' | 'nsd';

export const APT_PACKAGE: Record<Tool, string> = {
  dnsperf: 'dnsperf',
  taskset: 'util-linux',
  dig: 'bind9-dnsutils',
  knotd: 'knot',
  nsd: 'nsd',
};

/** Without these no target can be measured. */
export const REQUIRED_TOOLS: readonly Tool[] = ['dnsperf', 'taskset', 'dig'];

const SEARCH_PATH = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];

export function findBinary(bin: string): string | undefined {
  return SEARCH_PATH.map((dir) => join(dir, bin)).find((path) => existsSync(path));
}

/** The reference server a target needs besides the required tools (clusterdns-cache: Knot as its upstream). */
export function toolOfTarget(target: Target): Tool | undefined {
  if (target === 'knot' || target === 'clusterdns-cache') return 'knotd';
  if (target === 'nsd') return 'nsd';
  return undefined;
}

/** Every tool the chosen targets need. */
export function toolsFor(targets: readonly Target[]): Tool[] {
  const tools = new Set<Tool>(REQUIRED_TOOLS);
  for (const t of targets) {
    const tool = toolOfTarget(t);
    if (tool) tools.add(tool);
  }
  return [...tools];
}

/** "dnsperf (apt package dnsperf), dig (apt package bind9-dnsutils)". */
export function describeMissing(tools: readonly Tool[]): string {
  return tools.map((tool) => `${tool} (apt package ${APT_PACKAGE[tool]})`).join(', ');
}

/** The message when required tools are missing: what, from which package, and the two ways to get them. */
export function missingRequiredMessage(tools: readonly Tool[]): string {
  const packages = [...new Set(tools.map((tool) => APT_PACKAGE[tool]))].join(' ');
  return `missing ${describeMissing(tools)}: install with \`apt-get install -y ${packages}\`, or run \`npm run bench -- --install\` as root`;
}

/** Why a target is skipped when its server is missing. */
export function missingServerReason(target: Target, tool: Tool): string {
  const role = target === 'clusterdns-cache' ? ' (the upstream that clusterdns-cache forwards to)' : '';
  return `${tool}${role} is not installed: apt-get install ${APT_PACKAGE[tool]}, or rerun with --install as root`;
}
