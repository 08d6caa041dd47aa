// The Dockerfile passes dockerfile-utils' linter with no diagnostic at all, and says what the image promises:
// multi-stage, a Node LTS base pinned by tag, uid 65532, the clusterdns entrypoint with the Corefile command.
import { readFileSync } from 'node:fs';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

const dockerfile = readFileSync(new URL('../../../Dockerfile', import.meta.url), 'utf8');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));

describe('Dockerfile', () => {
  it('lints with no warning or error (dockerfile-utils), while a broken one does not', () => {
    expect(validate(dockerfile)).toEqual([]);
    expect(validate('FROM node:24-bookworm-slim\nMAINTAINER someone\nEXPOSE port\n').length).toBeGreaterThanOrEqual(2);
  });

  it('builds in one stage and ships from a fresh Node LTS base, every FROM pinned by tag', () => {
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^FROM node:(20|22|24)[\w.-]*-(bookworm|trixie)-slim( AS \w+)?$/);
    expect(froms.at(-1)).not.toMatch(/ AS /);
    expect(instructions).toContain('RUN npm ci --no-audit --no-fund');
    expect(instructions.some((l) => /npm install .*--omit=dev/.test(l))).toBe(true);
  });

  it('runs as 65532 with the clusterdns entrypoint and serve --conf /etc/coredns/Corefile, node holding cap_net_bind_service', () => {
    const froms = instructions.flatMap((l, i) => (l.startsWith('FROM ') ? [i] : []));
    const last = instructions.slice(froms[froms.length - 1]);
    expect(last).toContain('USER 65532:65532');
    expect(last).toContain('ENTRYPOINT ["clusterdns"]');
    expect(last).toContain('CMD ["serve", "--conf", "/etc/coredns/Corefile"]');
    expect(last.some((l) => l.includes('setcap cap_net_bind_service=+ep /usr/local/bin/node'))).toBe(true);
    expect(last.some((l) => l.includes('PATH=/opt/clusterdns/node_modules/.bin:'))).toBe(true);
    // The entrypoint execs that node itself: through /usr/bin/env the capability would be lost under no_new_privs.
    // It keeps the shebang's young-generation flag, and the build fails if the rewrite did not take.
    expect(instructions.some((l) => l.includes(`sed -i '1s|^#!/usr/bin/env -S node |#!/usr/local/bin/node |' /opt/clusterdns/node_modules/clusterdns/dist/cli/bin.js`))).toBe(true);
    expect(instructions.some((l) => l.includes(`grep -q '^#!/usr/local/bin/node --max-semi-space-size='`))).toBe(true);
  });
});
