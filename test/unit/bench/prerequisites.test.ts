// What the bench says when a program is missing: the Debian package to install, and --install as the
// alternative; which targets need which server.
import { describe, expect, it } from 'vitest';
import { missingRequiredMessage, missingServerReason, toolsFor } from '../../../bench/run/prerequisites.js';

describe('bench prerequisites', () => {
  it('names the apt package of each missing required tool and both ways to get them', () => {
    const message = missingRequiredMessage(['dnsperf', 'dig']);
    expect(message).toContain('dnsperf (apt package dnsperf)');
    expect(message).toContain('dig (apt package bind9-dnsutils)');
    expect(message).toContain('apt-get install -y dnsperf bind9-dnsutils');
    expect(message).toContain('npm run bench -- --install');
  });

  it('a missing reference server names its package; for clusterdns-cache it says Knot is the upstream', () => {
    expect(missingServerReason('nsd', 'nsd')).toMatch(/^nsd is not installed: apt-get install nsd, or rerun with --install/);
    expect(missingServerReason('clusterdns-cache', 'knotd')).toMatch(/knotd \(the upstream that clusterdns-cache forwards to\).*apt-get install knot/);
  });

  it('needs Knot for the knot and clusterdns-cache targets, NSD only for nsd, and always dnsperf, taskset and dig', () => {
    expect(toolsFor(['clusterdns', 'probe']).sort()).toEqual(['dig', 'dnsperf', 'taskset']);
    expect(toolsFor(['clusterdns-cache'])).toContain('knotd');
    expect(toolsFor(['knot', 'nsd'])).toEqual(expect.arrayContaining(['knotd', 'nsd']));
  });
});
